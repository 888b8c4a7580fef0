import { ApiError } from "@helio/api-client";

import { ErrorNotice } from "@/components/ErrorNotice";
import { toProblem } from "@/lib/problem";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";

export const metadata = { title: "Operations" };

export default async function OpsPage() {
  const check = await requireStaff();
  if (!check.ok) return null;
  const [health, config, chain] = await Promise.all([
    load((api) => api.GET("/api/v1/staff/ops/health")),
    load((api) => api.GET("/api/v1/staff/ops/config")),
    load((api) => api.GET("/api/v1/staff/ops/audit-chain")),
  ]);
  return (
    <main id="main">
      <h1>Operations</h1>
      <section className="card" aria-labelledby="health-title">
        <h2 id="health-title">Health</h2>
        {health instanceof ApiError ? (
          <ErrorNotice problem={toProblem(health)} />
        ) : (
          <dl className="facts">
            <dt>Status</dt>
            <dd>{health.status}</dd>
            {Object.entries(health.checks).map(([name, state]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{state}</dd>
              </div>
            ))}
            <dt>Alerts waiting</dt>
            <dd>{health.alerts_pending}</dd>
          </dl>
        )}
      </section>
      <section className="card" aria-labelledby="chain-title">
        <h2 id="chain-title">Audit chain</h2>
        {chain instanceof ApiError ? (
          <ErrorNotice problem={toProblem(chain)} />
        ) : (
          <dl className="facts">
            <dt>Events</dt>
            <dd>{chain.length}</dd>
            <dt>Head</dt>
            <dd className="reference">{chain.head_hash}</dd>
          </dl>
        )}
      </section>
      <section className="card" aria-labelledby="config-title">
        <h2 id="config-title">Configuration</h2>
        {config instanceof ApiError ? (
          <ErrorNotice problem={toProblem(config)} />
        ) : (
          <dl className="facts">
            <dt>Environment</dt>
            <dd>{config.env}</dd>
            <dt>Public origin</dt>
            <dd>{config.public_url}</dd>
            <dt>Console origin</dt>
            <dd>{config.staff_url || "—"}</dd>
            <dt>Secure cookies</dt>
            <dd>{config.secure_cookies ? "yes" : "no"}</dd>
            <dt>Production problems</dt>
            <dd>{config.production_problems.length === 0 ? "none" : config.production_problems.join("; ")}</dd>
          </dl>
        )}
      </section>
    </main>
  );
}
