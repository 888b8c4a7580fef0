import { ApiError } from "@helio/api-client";
import Link from "next/link";

import { ErrorNotice } from "@/components/ErrorNotice";
import { toProblem } from "@/lib/problem";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";
import { TableWrap } from "@/components/TableWrap";

export const metadata = { title: "Customers" };

export default async function CustomersPage({ searchParams }: { searchParams: Promise<{ query?: string }> }) {
  const check = await requireStaff();
  if (!check.ok) return null;
  const query = ((await searchParams).query ?? "").trim().slice(0, 320);
  const found = query ? await load((api) => api.GET("/api/v1/staff/customers", { params: { query: { query } } })) : null;
  return (
    <main id="main">
      <h1>Customers</h1>
      <form method="get" action="/console/customers" className="card" role="search">
        <div>
          <label htmlFor="query">Exact email or phone, or the start of a name</label>
          <input id="query" name="query" defaultValue={query} required maxLength={320} />
        </div>
        <button type="submit">Search</button>
      </form>
      {found instanceof ApiError ? <ErrorNotice problem={toProblem(found)} /> : null}
      {found && !(found instanceof ApiError) ? (
        found.items.length === 0 ? (
          <p role="status">No customer matches.</p>
        ) : (
          <TableWrap label="Matching customers (personal data masked)">
            <table>
              <caption className="visually-hidden">Matching customers (personal data masked)</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Phone</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {found.items.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link href={`/console/customers/${c.id}`}>{c.full_name ?? "(no name)"}</Link>
                    </td>
                    <td>{c.email ?? "—"}</td>
                    <td>{c.phone ?? "—"}</td>
                    <td>{c.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )
      ) : null}
    </main>
  );
}
