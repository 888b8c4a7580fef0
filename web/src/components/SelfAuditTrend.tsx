import { VERDICT_LABELS, type TrendDay, type Verdict } from "@/lib/self-audit";
import { TableWrap } from "./TableWrap";

const STACK: Verdict[] = ["fail", "warn", "manual", "pass"];

/**
 * The runs per day: stacked bars of the verdict counts, drawn as an SVG that assistive
 * technology skips (aria-hidden), then the same figures and the regressions as a table.
 */
export function SelfAuditTrend({ days }: { days: TrendDay[] }) {
  const max = Math.max(1, ...days.map((d) => STACK.reduce((sum, v) => sum + d.counts[v], 0)));
  const rowHeight = 24;
  const labelWidth = 90;
  const width = 520;
  const height = Math.max(rowHeight, days.length * rowHeight);
  const scale = (width - labelWidth - 10) / max;
  return (
    <figure className="card" data-testid="self-audit-trend">
      <figcaption>
        <strong>Checks per verdict, per day</strong>
      </figcaption>
      {days.length === 0 ? (
        <p>No run stored yet.</p>
      ) : (
        <>
          <ul className="legend" aria-hidden="true">
            {STACK.map((verdict) => (
              <li key={verdict}>
                <span className={`swatch ${verdict}`} />
                {VERDICT_LABELS[verdict]}
              </li>
            ))}
          </ul>
          <svg className="chart bars" viewBox={`0 0 ${width} ${height}`} aria-hidden="true" focusable="false">
            {days.map((d, i) => {
              const y = i * rowHeight;
              let x = labelWidth;
              return (
                <g key={d.day}>
                  <text x={labelWidth - 6} y={y + 16} textAnchor="end">
                    {d.day}
                  </text>
                  {STACK.map((verdict) => {
                    const w = d.counts[verdict] * scale;
                    const rect = <rect key={verdict} className={verdict} x={x} y={y + 4} width={w} height={rowHeight - 8} />;
                    x += w;
                    return rect;
                  })}
                </g>
              );
            })}
          </svg>
          <TableWrap label="Self-audit runs per day">
            <table>
              <caption className="visually-hidden">Self-audit runs per day</caption>
              <thead>
                <tr>
                  <th scope="col">Day (UTC)</th>
                  <th scope="col">Runs</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Warnings</th>
                  <th scope="col">Manual</th>
                  <th scope="col">Passed</th>
                  <th scope="col">Regressed to fail</th>
                </tr>
              </thead>
              <tbody>
                {days.map((d) => (
                  <tr key={d.day} data-testid="self-audit-trend-day">
                    <th scope="row">{d.day}</th>
                    <td>{d.runs}</td>
                    <td>{d.counts.fail}</td>
                    <td>{d.counts.warn}</td>
                    <td>{d.counts.manual}</td>
                    <td>{d.counts.pass}</td>
                    <td className="reference">{d.regressed.length === 0 ? "none" : d.regressed.join(", ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
    </figure>
  );
}
