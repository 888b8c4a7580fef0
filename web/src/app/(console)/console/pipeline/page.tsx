import { ApiError } from "@helio/api-client";

import { BarChart } from "@/components/BarChart";
import { LoadFailed } from "@/components/LoadFailed";
import { byMonth, byStage } from "@/lib/pipeline";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";

export const metadata = { title: "Pipeline" };

export default async function PipelinePage({ searchParams }: { searchParams: Promise<{ months?: string }> }) {
  const check = await requireStaff();
  if (!check.ok) return null;
  const asked = Number.parseInt((await searchParams).months ?? "12", 10);
  const months = Number.isFinite(asked) ? Math.min(36, Math.max(1, asked)) : 12;
  const report = await load((api) => api.GET("/api/v1/staff/reports/pipeline", { params: { query: { months } } }));
  if (report instanceof ApiError) return <LoadFailed title="Pipeline" error={report} />;
  return (
    <main id="main">
      <h1>Pipeline</h1>
      <form method="get" action="/console/pipeline" className="card" aria-label="Period">
        <div>
          <label htmlFor="months">Months back (this one included)</label>
          <input id="months" name="months" type="number" min={1} max={36} defaultValue={months} />
        </div>
        <button type="submit">Show</button>
      </form>
      <p className="hint">Since {report.since.slice(0, 10)}. Lead values are the salespeople&apos;s estimates; order values are prices.</p>
      <h2>By stage</h2>
      <BarChart title="Leads by stage" totals={byStage(report.rows, "lead")} kind="leads" testId="leads-by-stage" />
      <BarChart title="Orders by stage" totals={byStage(report.rows, "order")} kind="orders" testId="orders-by-stage" />
      <h2>By month</h2>
      <BarChart title="Leads by month" totals={byMonth(report.rows, "lead")} kind="leads" testId="leads-by-month" />
      <BarChart title="Orders by month" totals={byMonth(report.rows, "order")} kind="orders" testId="orders-by-month" />
    </main>
  );
}
