import { MONTHS } from "@/lib/forms";

/** Monthly production against use, as an SVG bar chart with a table for screen readers. */
export function ProductionChart({ production, usage }: { production: number[]; usage: number[] }) {
  const max = Math.max(1, ...production, ...usage);
  const height = 160;
  const slot = 40;
  const bar = 15;
  const scale = (v: number) => (v / max) * height;
  return (
    <figure>
      <svg className="chart" viewBox={`0 0 ${slot * 12 + 10} ${height + 30}`} aria-hidden="true">
        <line className="axis" x1={5} y1={height} x2={slot * 12 + 5} y2={height} />
        {MONTHS.map((month, i) => {
          const p = production[i] ?? 0;
          const u = usage[i] ?? 0;
          const x = 8 + i * slot;
          return (
            <g key={month}>
              <rect className="production" x={x} y={height - scale(p)} width={bar} height={scale(p)} />
              <rect className="usage" x={x + bar + 2} y={height - scale(u)} width={bar} height={scale(u)} />
              <text x={x + bar} y={height + 16} textAnchor="middle">
                {month}
              </text>
            </g>
          );
        })}
      </svg>
      <ul className="legend">
        <li>
          <span className="swatch production" /> Production
        </li>
        <li>
          <span className="swatch usage" /> Your use
        </li>
      </ul>
      <figcaption>
        <details>
          <summary>Monthly figures (kWh)</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col">Production</th>
                <th scope="col">Use</th>
              </tr>
            </thead>
            <tbody>
              {MONTHS.map((month, i) => (
                <tr key={month}>
                  <th scope="row">{month}</th>
                  <td>{Math.round(production[i] ?? 0)}</td>
                  <td>{Math.round(usage[i] ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}
