/**
 * The self-audit report and its trend as the console shows them: findings grouped by OWASP
 * category (A01–A10, in order, every category listed), the overall verdict in words, and the
 * stored runs grouped by day. The API decides every verdict; this only orders and words them.
 */
import type { Schemas } from "@helio/api-client";

type Finding = Schemas["SelfAuditFindingRead"];
type Summary = Schemas["SelfAuditSummaryRead"];
type TrendPoint = Schemas["SelfAuditTrendPointRead"];
type AdvisoryData = Schemas["SelfAuditAdvisoryDataRead"];
export type Verdict = Finding["verdict"];
export type Severity = Finding["severity"];

/** The OWASP Top 10 (2021). */
export const CATEGORIES: ReadonlyArray<{ id: string; title: string }> = [
  { id: "A01", title: "Broken Access Control" },
  { id: "A02", title: "Cryptographic Failures" },
  { id: "A03", title: "Injection" },
  { id: "A04", title: "Insecure Design" },
  { id: "A05", title: "Security Misconfiguration" },
  { id: "A06", title: "Vulnerable and Outdated Components" },
  { id: "A07", title: "Identification and Authentication Failures" },
  { id: "A08", title: "Software and Data Integrity Failures" },
  { id: "A09", title: "Security Logging and Monitoring Failures" },
  { id: "A10", title: "Server-Side Request Forgery" },
];

export const VERDICT_LABELS: Record<Verdict, string> = {
  fail: "Fail",
  warn: "Warning",
  manual: "Manual",
  pass: "Pass",
};

const VERDICT_ORDER: Verdict[] = ["fail", "warn", "manual", "pass"];
const SEVERITY_ORDER: Severity[] = ["critical", "high", "medium", "low", "info"];

export type Counts = Record<Verdict, number>;

export interface CategoryGroup {
  id: string;
  title: string;
  /** Worst first: failures, warnings, manual lines, passes; within each, the most severe first. */
  findings: Finding[];
  counts: Counts;
}

function emptyCounts(): Counts {
  return { pass: 0, fail: 0, warn: 0, manual: 0 };
}

function rank<T>(order: readonly T[], value: T): number {
  const i = order.indexOf(value);
  return i < 0 ? order.length : i;
}

/** Every category A01–A10 with its findings; a category the report does not know is added last. */
export function byCategory(findings: readonly Finding[]): CategoryGroup[] {
  const groups = new Map<string, CategoryGroup>(CATEGORIES.map((c) => [c.id, { ...c, findings: [], counts: emptyCounts() }]));
  for (const finding of findings) {
    const group = groups.get(finding.category) ?? { id: finding.category, title: finding.category_title, findings: [], counts: emptyCounts() };
    group.findings.push(finding);
    group.counts[finding.verdict] += 1;
    groups.set(finding.category, group);
  }
  for (const group of groups.values()) {
    group.findings.sort(
      (a, b) =>
        rank(VERDICT_ORDER, a.verdict) - rank(VERDICT_ORDER, b.verdict) ||
        rank(SEVERITY_ORDER, a.severity) - rank(SEVERITY_ORDER, b.severity) ||
        a.id.localeCompare(b.id),
    );
  }
  return [...groups.values()];
}

export interface Overall {
  verdict: "fail" | "warn" | "pass";
  sentence: string;
}

/** The report's verdict in one sentence: the worst failure, else warnings, else clean. */
export function overall(summary: Summary): Overall {
  if (summary.failed > 0) {
    return { verdict: "fail", sentence: `Fail: ${summary.failed} check(s) failed, the worst of severity ${summary.worst_severity}.` };
  }
  if (summary.warned > 0) return { verdict: "warn", sentence: `No check failed; ${summary.warned} warning(s) to look at.` };
  return { verdict: "pass", sentence: "No check failed and nothing to look at." };
}

/** "2026-12-05 05:10 UTC" (the API answers times with an offset). */
export function formatUtc(iso: string): string {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso;
  return `${moment.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** The advisory data's age at the run, or why it is unknown. */
export function advisoryAge(data: AdvisoryData | null | undefined): string {
  if (!data) return "not known: the dependency audit did not run here (see A06)";
  const newest = data.newest_record ?? "unknown date";
  return data.age_days === null ? `newest record ${newest}` : `${data.age_days} day(s) old at the run (newest record ${newest})`;
}

export interface TrendDay {
  /** The UTC day, "2026-12-05". */
  day: string;
  /** Runs stored that day. */
  runs: number;
  /** The counts of the day's last run. */
  counts: Counts;
  /** Checks that regressed to fail in any of the day's runs. */
  regressed: string[];
}

/** The trend per UTC day, oldest first: the day's last run counts, its regressions all kept. */
export function trendByDay(points: readonly TrendPoint[]): TrendDay[] {
  const days = new Map<string, TrendDay>();
  const ordered = [...points].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  for (const point of ordered) {
    const day = new Date(point.created_at).toISOString().slice(0, 10);
    const entry = days.get(day) ?? { day, runs: 0, counts: emptyCounts(), regressed: [] };
    const s = point.summary;
    entry.runs += 1;
    entry.counts = { pass: s.passed, fail: s.failed, warn: s.warned, manual: s.manual };
    entry.regressed = [...new Set([...entry.regressed, ...point.regressed])].sort();
    days.set(day, entry);
  }
  return [...days.values()];
}

/** A check's text split at its `backquoted` commands and names, to show those as code. */
export function codeSpans(text: string): Array<{ code: boolean; text: string }> {
  return text
    .split(/`([^`]+)`/)
    .map((part, i) => ({ code: i % 2 === 1, text: part }))
    .filter((span) => span.text !== "");
}

/** Whether an API error is "nothing stored yet" (before the first daily run). */
export function isNoReportYet(error: { status: number; code: string }): boolean {
  return error.status === 404 && error.code === "no_self_audit_report";
}
