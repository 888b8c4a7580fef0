import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import type { FullConfig, FullResult, Suite, TestCase, TestResult } from "@playwright/test/reporter";
import { afterEach, describe, expect, it } from "vitest";

import AsvsReporter, { narrowedBy } from "../e2e/asvs-reporter";

function fakeTest(title: string, ids: string[], expectedStatus: TestCase["expectedStatus"] = "passed"): TestCase {
  const test = {
    title,
    expectedStatus,
    annotations: ids.map((id) => ({ type: "asvs", description: id })),
    parent: { project: () => ({ name: "desktop" }) },
    titlePath: () => ["", "desktop", "x.spec.ts", title],
    results: [] as TestResult[],
  };
  return test as unknown as TestCase;
}

function run(tests: TestCase[], statuses: Array<TestResult["status"] | undefined>, argv: string[], end: FullResult["status"] = "passed"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "asvs-e2e-"));
  process.env.HELIO_ASVS_E2E_RESULTS = path.join(dir, "asvs-e2e-results.json");
  const saved = process.argv;
  process.argv = ["node", "playwright", ...argv];
  try {
    const reporter = new AsvsReporter();
    reporter.onBegin({} as FullConfig, { allTests: () => tests } as unknown as Suite);
    tests.forEach((test, i) => {
      const status = statuses[i];
      if (status === undefined) return;
      const result = { status } as TestResult;
      (test.results as TestResult[]).push(result);
      reporter.onTestEnd(test, result);
    });
    reporter.onEnd({ status: end } as FullResult);
  } finally {
    process.argv = saved;
    delete process.env.HELIO_ASVS_E2E_RESULTS;
  }
  return dir;
}

const read = (file: string): { tests: Array<{ nodeid: string; outcome: string; asvs: string[] }> } => JSON.parse(fs.readFileSync(file, "utf8"));

describe("the ASVS reporter of the browser tests", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it("writes each test's ids and outcome after a full run", () => {
    const dir = run([fakeTest("a", ["V3.2.2", "V1.2.1"]), fakeTest("b", ["V6.2.6"]), fakeTest("c", ["V7.4.4"], "failed")], ["passed", "failed", "failed"], ["test"], "failed");
    dirs.push(dir);
    const tests = read(path.join(dir, "asvs-e2e-results.json")).tests;
    expect(tests.map((t) => [t.nodeid.split(" > ").pop(), t.outcome, t.asvs])).toEqual([
      ["a", "passed", ["V1.2.1", "V3.2.2"]],
      ["b", "failed", ["V6.2.6"]],
      ["c", "skipped", ["V7.4.4"]],
    ]);
    expect(fs.existsSync(path.join(dir, "asvs-e2e-results.partial.json"))).toBe(false);
  });

  it("keeps a narrowed or stopped run out of the full results", () => {
    for (const argv of [["test", "e2e/staff.spec.ts"], ["test", "-g", "passkey"], ["test", "--project=phone"], ["test", "-x"]]) {
      const dir = run([fakeTest("a", ["V3.2.2"])], ["passed"], argv);
      dirs.push(dir);
      expect(fs.existsSync(path.join(dir, "asvs-e2e-results.json")), argv.join(" ")).toBe(false);
      expect(read(path.join(dir, "asvs-e2e-results.partial.json")).tests).toHaveLength(1);
    }
    const stopped = run([fakeTest("a", ["V3.2.2"]), fakeTest("b", [])], ["passed", undefined], ["test"], "failed");
    dirs.push(stopped);
    expect(fs.existsSync(path.join(stopped, "asvs-e2e-results.json"))).toBe(false);
  });

  it("tells narrowing arguments from option values", () => {
    expect(narrowedBy(["node", "playwright", "test"])).toBe(false);
    expect(narrowedBy(["node", "playwright", "test", "--workers", "1", "--reporter", "list"])).toBe(false);
    expect(narrowedBy(["node", "playwright", "test", "injection"])).toBe(true);
    expect(narrowedBy(["node", "playwright", "test", "--grep-invert=slow"])).toBe(true);
    expect(narrowedBy(["node", "playwright", "test", "--last-failed"])).toBe(true);
  });
});
