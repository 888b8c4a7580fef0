import { describe, expect, it } from "vitest";

import type { Schemas } from "@helio/api-client";

import { allowedSections } from "../src/lib/console-nav";
import { advisoryAge, byCategory, codeSpans, formatUtc, isNoReportYet, overall, trendByDay } from "../src/lib/self-audit";

type Finding = Schemas["SelfAuditFindingRead"];

function finding(id: string, category: string, verdict: Finding["verdict"], severity: Finding["severity"] = "medium"): Finding {
  return { id, category, category_title: `title of ${category}`, severity, source: "database", title: id, verdict, evidence: [`${id} evidence`], fix: "fix it" };
}

function point(createdAt: string, counts: [number, number, number, number], regressed: string[] = []): Schemas["SelfAuditTrendPointRead"] {
  const [passed, failed, warned, manual] = counts;
  return {
    id: createdAt,
    created_at: createdAt,
    summary: { passed, failed, warned, manual, worst_severity: failed > 0 ? "high" : "none" },
    failing: [],
    regressed,
  };
}

describe("findings by category", () => {
  it("lists A01 to A10 in order, empty ones too, worst verdict and severity first", () => {
    const groups = byCategory([
      finding("db.grants", "A01", "pass"),
      finding("db.access_review", "A01", "fail", "medium"),
      finding("config.key_provider", "A02", "warn", "high"),
      finding("db.key_rotation", "A02", "fail", "low"),
      finding("config.tls", "A02", "fail", "high"),
      finding("deps.advisories", "A06", "manual", "high"),
    ]);
    expect(groups.map((g) => g.id)).toEqual(["A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08", "A09", "A10"]);
    expect(groups[0]?.findings.map((f) => f.id)).toEqual(["db.access_review", "db.grants"]);
    expect(groups[1]?.findings.map((f) => f.id)).toEqual(["config.tls", "db.key_rotation", "config.key_provider"]);
    expect(groups[1]?.counts).toEqual({ pass: 0, fail: 2, warn: 1, manual: 0 });
    expect(groups[2]).toMatchObject({ title: "Injection", findings: [] });
    expect(groups[5]?.counts.manual).toBe(1);
  });
  it("keeps a category it does not know, after the ten", () => {
    const groups = byCategory([finding("x.new", "A11", "pass")]);
    expect(groups.map((g) => g.id).at(-1)).toBe("A11");
    expect(groups.at(-1)?.title).toBe("title of A11");
  });
});

describe("the overall verdict", () => {
  it("names the worst failure, else the warnings, else clean", () => {
    expect(overall({ passed: 20, failed: 2, warned: 1, manual: 2, worst_severity: "critical" })).toEqual({
      verdict: "fail",
      sentence: "Fail: 2 check(s) failed, the worst of severity critical.",
    });
    expect(overall({ passed: 20, failed: 0, warned: 3, manual: 2, worst_severity: "none" }).verdict).toBe("warn");
    expect(overall({ passed: 25, failed: 0, warned: 0, manual: 2, worst_severity: "none" })).toEqual({
      verdict: "pass",
      sentence: "No check failed and nothing to look at.",
    });
  });
});

describe("the trend per day", () => {
  it("takes each day's last run, keeps every regression of the day, oldest day first", () => {
    const days = trendByDay([
      point("2026-12-05T05:10:00+00:00", [20, 2, 1, 2], ["db.staff_mfa"]),
      point("2026-12-04T05:10:00+00:00", [22, 0, 1, 2]),
      point("2026-12-05T14:00:00+00:00", [21, 1, 1, 2], ["db.grants"]),
      point("2026-12-04T23:30:00-02:00", [21, 1, 1, 2], ["db.grants"]), // 01:30 UTC on the 5th
    ]);
    expect(days.map((d) => [d.day, d.runs, d.counts.fail, d.regressed])).toEqual([
      ["2026-12-04", 1, 0, []],
      ["2026-12-05", 3, 1, ["db.grants", "db.staff_mfa"]],
    ]);
    expect(days[1]?.counts).toEqual({ pass: 21, fail: 1, warn: 1, manual: 2 });
    expect(trendByDay([])).toEqual([]);
  });
});

describe("words", () => {
  it("shows times in UTC and the advisory data's age", () => {
    expect(formatUtc("2026-12-05T06:10:00+01:00")).toBe("2026-12-05 05:10 UTC");
    expect(formatUtc("garbage")).toBe("garbage");
    expect(advisoryAge({ newest_record: "2026-11-02", age_days: 34 })).toBe("34 day(s) old at the run (newest record 2026-11-02)");
    expect(advisoryAge({ newest_record: null, age_days: null })).toBe("newest record unknown date");
    expect(advisoryAge(null)).toMatch(/^not known: the dependency audit did not run here/);
  });
  it("finds the backquoted commands in a fix", () => {
    expect(codeSpans("Run `helio keys rotate-jwt` or `helio audit rotate-key`.")).toEqual([
      { code: false, text: "Run " },
      { code: true, text: "helio keys rotate-jwt" },
      { code: false, text: " or " },
      { code: true, text: "helio audit rotate-key" },
      { code: false, text: "." },
    ]);
    expect(codeSpans("plain")).toEqual([{ code: false, text: "plain" }]);
    expect(codeSpans("an odd ` quote")).toEqual([{ code: false, text: "an odd ` quote" }]);
  });
  it("tells 'nothing stored yet' from other refusals", () => {
    expect(isNoReportYet({ status: 404, code: "no_self_audit_report" })).toBe(true);
    expect(isNoReportYet({ status: 403, code: "forbidden" })).toBe(false);
    expect(isNoReportYet({ status: 404, code: "not_found" })).toBe(false);
  });
});

describe("the console's navigation", () => {
  it("offers the self-audit to those holding self_audit:read only", () => {
    const labels = (perms: Record<string, string>) => allowedSections(perms).map((s) => s.label);
    expect(labels({ "self_audit:read": "all", "audit:read": "all" })).toContain("Security self-audit");
    expect(labels({ "ops:read": "all", "staff_orders:read": "all", "audit:read": "all" })).not.toContain("Security self-audit");
  });
});
