import { ApiError } from "@helio/api-client";

import { ErrorNotice } from "@/components/ErrorNotice";
import { may } from "@/lib/console-nav";
import { toProblem } from "@/lib/problem";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";

import { GrantActions, RequestGrant } from "./GrantForms";
import { TableWrap } from "@/components/TableWrap";

export const metadata = { title: "Access grants" };

export default async function GrantsPage() {
  const check = await requireStaff();
  if (!check.ok) return null;
  const perms = check.me.permissions;
  const grants = may(perms, "grants:read") ? await load((api) => api.GET("/api/v1/staff/grants")) : null;
  return (
    <main id="main">
      <h1>Access grants</h1>
      <p>Time-boxed access to one customer&apos;s data, asked for with a reason and approved by another admin.</p>
      {may(perms, "grants:request") ? <RequestGrant /> : null}
      {grants instanceof ApiError ? <ErrorNotice problem={toProblem(grants)} /> : null}
      {grants && !(grants instanceof ApiError) ? (
        <TableWrap label="Grants">
          <table>
            <caption className="visually-hidden">Grants</caption>
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">Reason</th>
                <th scope="col">Minutes</th>
                <th scope="col">State</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {grants.items.map((g) => (
                <tr key={g.id} data-testid={`grant-${g.id}`}>
                  <td className="reference">{g.customer_id}</td>
                  <td>{g.reason}</td>
                  <td>{g.minutes}</td>
                  <td>{g.state}</td>
                  <td>
                    <GrantActions
                      grant={g}
                      canDecide={may(perms, "grants:decide") && g.requester_id !== check.me.user_id}
                      canRevoke={may(perms, "grants:revoke")}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </main>
  );
}
