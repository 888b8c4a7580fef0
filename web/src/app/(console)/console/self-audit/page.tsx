import { ApiError } from "@helio/api-client";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { SelfAuditFindings, VerdictBadge } from "@/components/SelfAuditFindings";
import { SelfAuditTrend } from "@/components/SelfAuditTrend";
import { toProblem } from "@/lib/problem";
import { advisoryAge, formatUtc, isNoReportYet, overall, trendByDay } from "@/lib/self-audit";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";

export const metadata = { title: "Security self-audit" };

const TREND_RUNS = 30;

export default async function SelfAuditPage() {
  const check = await requireStaff();
  if (!check.ok) return null;
  const [latest, trend] = await Promise.all([
    load((api) => api.GET("/api/v1/admin/self-audit/latest")),
    load((api) => api.GET("/api/v1/admin/self-audit/trend", { params: { query: { limit: TREND_RUNS } } })),
  ]);
  return (
    <main id="main">
      <h1>Security self-audit</h1>
      <p className="hint">
        The OWASP Top 10 (2021) report Helio writes about itself every day from live evidence: settings, database, shared state,
        HTTP surface, deployment files and dependencies.
      </p>
      {latest instanceof ApiError ? (
        isNoReportYet(latest) ? (
          <Notice kind="info">
            <p>
              No report has been stored yet. The daily run stores the first one; an operator can run <code>helio audit report --store</code>.
            </p>
          </Notice>
        ) : (
          <ErrorNotice problem={toProblem(latest)} />
        )
      ) : (
        <>
          <section className="card" aria-labelledby="latest-title" data-testid="self-audit-latest">
            <h2 id="latest-title">Latest report</h2>
            <p data-testid="self-audit-overall">
              <VerdictBadge verdict={overall(latest.summary).verdict} /> {overall(latest.summary).sentence}
            </p>
            <dl className="facts">
              <dt>Ran at</dt>
              <dd>{formatUtc(latest.generated_at)}</dd>
              <dt>Environment</dt>
              <dd>{latest.environment}</dd>
              <dt>HTTP surface probed</dt>
              <dd>{latest.target ?? "not probed in this run"}</dd>
              <dt>Checks</dt>
              <dd>
                {latest.summary.failed} failed, {latest.summary.warned} warning(s), {latest.summary.manual} manual, {latest.summary.passed} passed
              </dd>
              <dt>Advisory data</dt>
              <dd data-testid="self-audit-advisory-age">{advisoryAge(latest.advisory_data)}</dd>
            </dl>
          </section>
          <h2>Checks by category</h2>
          <SelfAuditFindings findings={latest.findings} />
        </>
      )}
      <h2>Trend</h2>
      {trend instanceof ApiError ? (
        <ErrorNotice problem={toProblem(trend)} />
      ) : (
        <>
          {trend.regressed.length > 0 ? (
            <div className="alert error" role="status">
              <p>Regressed to fail in the latest run: {trend.regressed.join(", ")}.</p>
            </div>
          ) : null}
          {trend.fixed.length > 0 ? <Notice kind="success">Fixed in the latest run: {trend.fixed.join(", ")}.</Notice> : null}
          <SelfAuditTrend days={trendByDay(trend.points)} />
        </>
      )}
    </main>
  );
}
