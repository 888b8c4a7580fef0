/**
 * Playwright reporter: records each browser test's ASVS ids (the `asvs` annotations that
 * `asvs(...)` in fixtures.ts adds) and its outcome, for `make asvs` (backend/tools/asvs_report.py).
 *
 * A full run writes backend/var/asvs-e2e-results.json, in the same shape as the pytest plugin's
 * results. A run narrowed by file or line filters, --grep, --grep-invert, --project, --shard,
 * --last-failed or --only-changed, or one that stopped early (interrupted, timed out, or
 * --max-failures/-x leaving tests unrun) writes asvs-e2e-results.partial.json beside it, so the
 * report keeps reading the last full run. HELIO_ASVS_E2E_RESULTS moves the file.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from "@playwright/test/reporter";

type Outcome = "passed" | "skipped" | "failed";

const RANK: Record<Outcome, number> = { passed: 0, skipped: 1, failed: 2 };
const OPTIONS_WITH_VALUES = ["-c", "--config", "--reporter", "--workers", "-j", "--retries", "--timeout", "--output", "--repeat-each", "--trace", "--global-timeout"];
const NARROWING_FLAGS = ["-g", "--grep", "--grep-invert", "--project", "--shard", "--last-failed", "--only-changed", "-x", "--max-failures"];

/** True when the command line selects only part of the suite (or may stop before its end). */
export function narrowedBy(argv: readonly string[]): boolean {
  const at = argv.indexOf("test");
  if (at < 0) return false;
  const args = argv.slice(at + 1);
  let previous = "";
  for (const arg of args) {
    const flag = arg.split("=")[0] ?? arg;
    if (NARROWING_FLAGS.includes(flag)) return true;
    // A value of an option given as "--option value" is not a file filter.
    if (!arg.startsWith("-") && !OPTIONS_WITH_VALUES.includes(previous)) return true;
    previous = arg;
  }
  return false;
}

function outcomeOf(test: TestCase, result: TestResult): Outcome {
  if (result.status === "skipped" || test.expectedStatus !== "passed") return "skipped";
  return result.status === "passed" ? "passed" : "failed";
}

export default class AsvsReporter implements Reporter {
  private readonly tests = new Map<string, { nodeid: string; outcome: Outcome; asvs: string[] }>();
  private all: TestCase[] = [];
  private readonly file: string;

  constructor() {
    this.file = process.env.HELIO_ASVS_E2E_RESULTS ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "backend", "var", "asvs-e2e-results.json");
  }

  onBegin(_config: FullConfig, suite: Suite): void {
    this.all = suite.allTests();
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const nodeid = `${test.parent.project()?.name ?? ""}:${test.titlePath().filter(Boolean).join(" > ")}`;
    const ids = [...new Set(test.annotations.filter((a) => a.type === "asvs" && a.description).map((a) => a.description as string))].sort();
    const outcome = outcomeOf(test, result);
    const entry = this.tests.get(nodeid);
    // A retry that passes after a failure is a flaky test: it proves nothing.
    if (entry === undefined) this.tests.set(nodeid, { nodeid, outcome, asvs: ids });
    else if (RANK[outcome] > RANK[entry.outcome]) entry.outcome = outcome;
  }

  onEnd(result: FullResult): void {
    const unrun = this.all.some((t) => t.results.length === 0);
    const stopped = result.status === "interrupted" || result.status === "timedout" || unrun;
    const data = {
      generated_at: new Date().toISOString().replace(/\.\d+Z$/, "+00:00"),
      exitstatus: result.status === "passed" ? 0 : 1,
      tests: [...this.tests.values()],
    };
    const target = narrowedBy(process.argv) || stopped ? this.file.replace(/\.json$/, ".partial.json") : this.file;
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(`${target}.tmp`, `${JSON.stringify(data, null, 1)}\n`, "utf8");
    renameSync(`${target}.tmp`, target);
  }

  printsToStdio(): boolean {
    return false;
  }
}
