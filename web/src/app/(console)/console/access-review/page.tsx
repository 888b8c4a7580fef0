import { ApiError } from "@helio/api-client";

import { LoadFailed } from "@/components/LoadFailed";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";

import { Attest } from "./Attest";
import { TableWrap } from "@/components/TableWrap";

export const metadata = { title: "Access review" };

export default async function AccessReviewPage() {
  const check = await requireStaff();
  if (!check.ok) return null;
  const review = await load((api) => api.GET("/api/v1/admin/access-review"));
  if (review instanceof ApiError) return <LoadFailed title="Access review" error={review} />;
  const s = review.summary;
  return (
    <main id="main">
      <h1>Access review</h1>
      <p>
        {s.staff} staff accounts, {s.active} active, {s.admin_count} admins, {s.no_mfa} without two-step verification,{" "}
        {s.dormant} unused for {s.dormant_after_days} days or more.
      </p>
      <TableWrap label="Staff accounts under review">
        <table>
          <caption className="visually-hidden">Staff accounts under review</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Roles</th>
              <th scope="col">Two-step</th>
              <th scope="col">Last use</th>
              <th scope="col">Flags</th>
            </tr>
          </thead>
          <tbody>
            {review.staff.map((e) => (
              <tr key={e.id}>
                <td>{e.email}</td>
                <td>{e.roles.join(", ")}</td>
                <td>{e.mfa_methods.join(", ") || "none"}</td>
                <td>{e.last_used_at ? e.last_used_at.slice(0, 10) : "never"}</td>
                <td>{e.flags.join(", ") || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <p>
        Last attestation:{" "}
        {review.last_attestation ? `${review.last_attestation.created_at.slice(0, 10)} by ${review.last_attestation.attested_by}` : "none yet"}
      </p>
      <Attest />
    </main>
  );
}
