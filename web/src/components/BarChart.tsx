import type { Total } from "@/lib/pipeline";

import { formatValues } from "@/lib/pipeline";
import { TableWrap } from "./TableWrap";

/**
 * Horizontal bars of counts, drawn as an SVG that assistive technology skips (aria-hidden),
 * followed by the same figures as a table: the table is what a screen reader reads.
 */
export function BarChart({ title, totals, kind, testId }: { title: string; totals: Total[]; kind: "leads" | "orders"; testId: string }) {
  const max = Math.max(1, ...totals.map((t) => t.count));
  const rowHeight = 24;
  const labelWidth = 150;
  const width = 520;
  const height = Math.max(rowHeight, totals.length * rowHeight);
  return (
    <figure className="card" data-testid={testId}>
      <figcaption>
        <strong>{title}</strong>
      </figcaption>
      {totals.length === 0 ? (
        <p>Nothing in this period.</p>
      ) : (
        <>
          <svg className="chart bars" viewBox={`0 0 ${width} ${height}`} aria-hidden="true" focusable="false">
            {totals.map((t, i) => {
              const w = ((width - labelWidth - 40) * t.count) / max;
              const y = i * rowHeight;
              return (
                <g key={t.key}>
                  <text x={labelWidth - 6} y={y + 16} textAnchor="end">
                    {t.label}
                  </text>
                  <rect className={kind} x={labelWidth} y={y + 4} width={w} height={rowHeight - 8} />
                  <text x={labelWidth + w + 4} y={y + 16}>
                    {t.count}
                  </text>
                </g>
              );
            })}
          </svg>
          <TableWrap label={title}>
            <table>
              <caption className="visually-hidden">{title}</caption>
              <thead>
                <tr>
                  <th scope="col">{kind === "leads" ? "Lead" : "Order"} group</th>
                  <th scope="col">Count</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {totals.map((t) => (
                  <tr key={t.key}>
                    <th scope="row">{t.label}</th>
                    <td>{t.count}</td>
                    <td>{formatValues(t.values)}</td>
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
