/** The pipeline report's rows → the totals its charts and tables show. */
import type { Schemas } from "@helio/api-client";

type Row = Schemas["PipelineRowRead"];

export interface Total {
  key: string;
  label: string;
  count: number;
  /** Summed value per currency, as decimal strings with two places. */
  values: Record<string, string>;
}

const CENTS = 100n;

/** Exact decimal addition in cents (values are decimal strings; no float rounding). */
function cents(value: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?\d*$/.exec(value.trim());
  if (!match) return 0n;
  const whole = BigInt(match[2] ?? "0") * CENTS + BigInt((match[3] ?? "").padEnd(2, "0") || "0");
  return match[1] === "-" ? -whole : whole;
}

function decimal(total: bigint): string {
  const sign = total < 0n ? "-" : "";
  const abs = total < 0n ? -total : total;
  return `${sign}${abs / CENTS}.${String(abs % CENTS).padStart(2, "0")}`;
}

function add(into: Map<string, { count: number; values: Map<string, bigint> }>, key: string, row: Row): void {
  const entry = into.get(key) ?? { count: 0, values: new Map<string, bigint>() };
  entry.count += row.count;
  if (row.currency) entry.values.set(row.currency, (entry.values.get(row.currency) ?? 0n) + cents(row.value));
  into.set(key, entry);
}

function totals(map: Map<string, { count: number; values: Map<string, bigint> }>, order: string[], label: (key: string) => string): Total[] {
  return order
    .filter((key) => map.has(key))
    .map((key) => {
      const entry = map.get(key)!;
      return { key, label: label(key), count: entry.count, values: Object.fromEntries([...entry.values].map(([c, v]) => [c, decimal(v)])) };
    });
}

export const LEAD_STAGES = ["new", "contacted", "qualified", "converted", "lost"];
export const ORDER_STAGES = [
  "placed",
  "survey_scheduled",
  "surveyed",
  "permit_submitted",
  "permit_approved",
  "install_scheduled",
  "installed",
  "inspected",
  "activated",
  "cancelled",
];

/** Leads or orders by stage (in workflow order), count and value per currency. */
export function byStage(rows: Row[], kind: "lead" | "order"): Total[] {
  const map = new Map<string, { count: number; values: Map<string, bigint> }>();
  for (const row of rows) if (row.kind === kind) add(map, row.stage, row);
  const known = kind === "lead" ? LEAD_STAGES : ORDER_STAGES;
  const order = [...known, ...[...map.keys()].filter((k) => !known.includes(k)).sort()];
  return totals(map, order, (key) => key.replaceAll("_", " "));
}

/** Leads or orders by month (oldest first), count and value per currency. */
export function byMonth(rows: Row[], kind: "lead" | "order"): Total[] {
  const map = new Map<string, { count: number; values: Map<string, bigint> }>();
  for (const row of rows) if (row.kind === kind) add(map, row.month.slice(0, 7), row);
  return totals(map, [...map.keys()].sort(), (key) => key);
}

/** "1200.00 EUR, 300.00 USD" or "—". */
export function formatValues(values: Record<string, string>): string {
  const parts = Object.entries(values).map(([currency, value]) => `${value} ${currency}`);
  return parts.length > 0 ? parts.join(", ") : "—";
}
