import { ApiError } from "@helio/api-client";

import { ErrorNotice } from "@/components/ErrorNotice";
import { auditQuery, type AuditFilters } from "@/lib/audit";
import { toProblem } from "@/lib/problem";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";
import { TableWrap } from "@/components/TableWrap";

export const metadata = { title: "Audit log" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<AuditFilters> }) {
  const check = await requireStaff();
  if (!check.ok) return null;
  const filters = await searchParams;
  const query = auditQuery(filters);
  const page = await load((api) => api.GET("/api/v1/admin/audit", { params: { query } }));
  const exportHref = `/api/v1/admin/audit/export?${new URLSearchParams(query as Record<string, string>).toString()}`;
  return (
    <main id="main">
      <h1>Audit log</h1>
      <form method="get" action="/console/audit" className="card" role="search">
        <div className="row">
          <div>
            <label htmlFor="action">Action (a trailing * matches a prefix)</label>
            <input id="action" name="action" defaultValue={filters.action ?? ""} />
          </div>
          <div>
            <label htmlFor="actor">Actor id</label>
            <input id="actor" name="actor" defaultValue={filters.actor ?? ""} />
          </div>
          <div>
            <label htmlFor="resource">Resource</label>
            <input id="resource" name="resource" defaultValue={filters.resource ?? ""} />
          </div>
        </div>
        <div className="actions">
          <button type="submit">Search</button>
          <a className="button secondary" href={exportHref} download="helio-audit.jsonl">
            Export these events
          </a>
        </div>
      </form>
      {page instanceof ApiError ? (
        <ErrorNotice problem={toProblem(page)} />
      ) : (
        <TableWrap label="Audit events">
          <table>
            <caption className="visually-hidden">Audit events</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Resource</th>
                <th scope="col">Outcome</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((e) => (
                <tr key={e.id} data-testid="audit-row">
                  <td>{e.occurred_at.slice(0, 19).replace("T", " ")}</td>
                  <td>{e.action}</td>
                  <td className="reference">{e.actor_id ?? "—"}</td>
                  <td className="reference">{[e.resource_type, e.resource_id].filter(Boolean).join(":") || "—"}</td>
                  <td>{e.outcome}</td>
                  <td>{e.reason ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </main>
  );
}
