import type { Schemas } from "@helio/api-client";

/** The figures a quote page shows, read defensively from the engine's result. */
export interface QuoteFigures {
  panels: number;
  annualProduction: number;
  annualUsage: number;
  offset: number;
  totalSavings: string;
  horizon: number;
  payback: number | null;
  monthlyProduction: number[];
  monthlyUsage: number[];
  assumptions: string[];
}

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.map((v) => (typeof v === "number" ? v : Number(v) || 0)) : [];
}

function num(value: unknown): number {
  return typeof value === "number" ? value : Number(value) || 0;
}

export function quoteFigures(quote: Schemas["QuoteRead"]): QuoteFigures {
  const r = quote.result as Record<string, unknown>;
  // Stored inputs hold the engine's inputs under "inputs", beside its configuration.
  const stored = quote.inputs as Record<string, unknown>;
  const inputs = (stored.inputs ?? stored) as Record<string, unknown>;
  const usage = (inputs.usage ?? {}) as Record<string, unknown>;
  return {
    panels: num(r.panel_count),
    annualProduction: Math.round(num(r.annual_production_kwh)),
    annualUsage: Math.round(num(r.annual_usage_kwh)),
    offset: Math.round(num(r.offset_achieved_pct)),
    totalSavings: String(r.total_savings ?? "—"),
    horizon: num(r.horizon_years),
    payback: r.payback_year === null || r.payback_year === undefined ? null : num(r.payback_year),
    monthlyProduction: numbers(r.monthly_production_kwh),
    monthlyUsage: numbers(usage.monthly_kwh),
    assumptions: Array.isArray(r.assumptions) ? r.assumptions.map(String) : [],
  };
}
