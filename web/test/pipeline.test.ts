import { describe, expect, it } from "vitest";

import { byMonth, byStage, formatValues } from "../src/lib/pipeline";

const rows = [
  { month: "2026-11", kind: "lead" as const, stage: "new", currency: null, count: 3, value: "0" },
  { month: "2026-11", kind: "lead" as const, stage: "qualified", currency: "EUR", count: 1, value: "12000.10" },
  { month: "2026-12", kind: "lead" as const, stage: "qualified", currency: "EUR", count: 2, value: "0.20" },
  { month: "2026-12", kind: "lead" as const, stage: "qualified", currency: "USD", count: 1, value: "5000" },
  { month: "2026-12", kind: "order" as const, stage: "placed", currency: "EUR", count: 1, value: "15999.99" },
  { month: "2026-11", kind: "order" as const, stage: "activated", currency: "EUR", count: 1, value: "0.01" },
];

describe("pipeline totals", () => {
  it("adds counts and exact values per currency by stage, in workflow order", () => {
    const stages = byStage(rows, "lead");
    expect(stages.map((s) => s.key)).toEqual(["new", "qualified"]);
    expect(stages[1]).toMatchObject({ count: 4, values: { EUR: "12000.30", USD: "5000.00" } });
    expect(stages[0]?.values).toEqual({});
    expect(byStage(rows, "order").map((s) => s.key)).toEqual(["placed", "activated"]);
  });
  it("adds by month, oldest first", () => {
    const months = byMonth(rows, "order");
    expect(months.map((m) => [m.key, m.count, m.values["EUR"]])).toEqual([
      ["2026-11", 1, "0.01"],
      ["2026-12", 1, "15999.99"],
    ]);
  });
  it("words values", () => {
    expect(formatValues({ EUR: "1.00", USD: "2.50" })).toBe("1.00 EUR, 2.50 USD");
    expect(formatValues({})).toBe("—");
  });
});
