import { ApiError, type Schemas } from "@helio/api-client";
import Link from "next/link";

import { ErrorNotice } from "@/components/ErrorNotice";
import { TableWrap } from "@/components/TableWrap";
import { LEAD_STAGES } from "@/lib/pipeline";
import { toProblem } from "@/lib/problem";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";

import { EnterLead } from "./EnterLead";

export const metadata = { title: "Leads" };

type LeadStatus = Schemas["LeadStatus"];

export default async function LeadsPage({ searchParams }: { searchParams: Promise<{ status?: string; cursor?: string }> }) {
  const check = await requireStaff();
  if (!check.ok) return null;
  const params = await searchParams;
  const status = LEAD_STAGES.includes(params.status ?? "") ? (params.status as LeadStatus) : undefined;
  const cursor = params.cursor && /^[A-Za-z0-9_-]{1,200}$/.test(params.cursor) ? params.cursor : undefined;
  const page = await load((api) => api.GET("/api/v1/staff/leads", { params: { query: { status, limit: 50, cursor } } }));
  const me = check.me.user_id;
  return (
    <main id="main">
      <h1>Leads</h1>
      <p className="hint">Your leads and the unassigned ones; contact details stay masked until a lead is yours.</p>
      {"leads:write" in check.me.permissions ? <EnterLead /> : null}
      <form method="get" action="/console/leads" className="card" role="search" aria-label="Filter leads">
        <div>
          <label htmlFor="status">Status</label>
          <select id="status" name="status" defaultValue={status ?? ""}>
            <option value="">any</option>
            {LEAD_STAGES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Filter</button>
      </form>
      {page instanceof ApiError ? (
        <ErrorNotice problem={toProblem(page)} />
      ) : page.items.length === 0 ? (
        <p role="status">No lead matches.</p>
      ) : (
        <TableWrap label="Leads (newest first)">
          <table>
            <caption className="visually-hidden">Leads (newest first)</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Postcode</th>
                <th scope="col">Status</th>
                <th scope="col">Owner</th>
                <th scope="col">Estimated value</th>
                <th scope="col">Came in</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((lead) => (
                <tr key={lead.id} data-testid="lead-row">
                  <td>
                    <Link href={`/console/leads/${lead.id}`}>{lead.name ?? "(no name)"}</Link>
                  </td>
                  <td>{lead.postcode ?? "—"}</td>
                  <td>{lead.status}</td>
                  <td>{lead.assignee_id === null ? "unassigned" : lead.assignee_id === me ? "you" : "another salesperson"}</td>
                  <td>{lead.estimated_value ? `${lead.estimated_value} ${lead.currency ?? ""}` : "—"}</td>
                  <td>{lead.created_at.slice(0, 10)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {!(page instanceof ApiError) && page.next_cursor ? (
        <p>
          <Link href={`/console/leads?${new URLSearchParams({ ...(status ? { status } : {}), cursor: page.next_cursor }).toString()}`}>Older leads</Link>
        </p>
      ) : null}
    </main>
  );
}
