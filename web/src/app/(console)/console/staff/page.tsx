import { ApiError } from "@helio/api-client";

import { LoadFailed } from "@/components/LoadFailed";
import { may } from "@/lib/console-nav";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";

import { InviteStaff, StaffRow } from "./StaffForms";
import { TableWrap } from "@/components/TableWrap";

export const metadata = { title: "Staff" };

export default async function StaffPage() {
  const check = await requireStaff();
  if (!check.ok) return null;
  const staff = await load((api) => api.GET("/api/v1/admin/staff"));
  if (staff instanceof ApiError) return <LoadFailed title="Staff" error={staff} />;
  const manage = may(check.me.permissions, "staff:manage");
  return (
    <main id="main">
      <h1>Staff</h1>
      {manage ? <InviteStaff /> : null}
      <TableWrap label="Staff accounts">
        <table>
          <caption className="visually-hidden">Staff accounts</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Roles</th>
              <th scope="col">Status</th>
              <th scope="col">Two-step</th>
            </tr>
          </thead>
          <tbody>
            {staff.items.map((s) => (
              <StaffRow key={s.id} staff={s} manage={manage && s.id !== check.me.user_id} />
            ))}
          </tbody>
        </table>
      </TableWrap>
    </main>
  );
}
