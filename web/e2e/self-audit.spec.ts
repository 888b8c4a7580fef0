import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import type { Browser, Page } from "@playwright/test";

import { asvs, expect, test } from "./fixtures";

import { signInStaff } from "./auth";
import { helioEnv, readStack } from "./harness/stack";
import { checkPage, stack, watchPage } from "./helpers";

const repo = path.resolve(import.meta.dirname, "..", "..");

interface StoredFinding {
  id: string;
  category: string;
  severity: string;
  verdict: "pass" | "fail" | "warn" | "manual";
  fix: string;
}

interface StoredReport {
  generated_at: string;
  summary: { pass: number; fail: number; warn: number; manual: number };
  findings: StoredFinding[];
}

/** `helio audit report --store` against the stack's database and Redis, as the daily job runs it. */
function runSelfAudit(): StoredReport {
  const out = path.join(readStack().dataDir, `self-audit-${Date.now()}.json`);
  const run = spawnSync(
    path.join(repo, ".venv", "bin", "helio"),
    ["audit", "report", "--store", "--no-http", "--format", "json", "--output", out],
    { cwd: path.join(repo, "backend"), env: helioEnv(readStack()), encoding: "utf8", timeout: 300_000 },
  );
  // The exit code is the worst failed severity (0–4): the stack's database user is root, so
  // the app-user grants check fails here on purpose.
  expect(run.status, run.stderr).not.toBeNull();
  expect(run.status ?? 99, run.stderr).toBeLessThanOrEqual(4);
  expect(run.stderr).toMatch(/stored self-audit report [0-9a-f]{32}/);
  return JSON.parse(fs.readFileSync(out, "utf8")) as StoredReport;
}

async function actor(browser: Browser, statuses: number[] = []): Promise<{ page: Page; problems: string[] }> {
  const page = await (await browser.newContext()).newPage();
  return { page, problems: watchPage(page, { statuses }) };
}

const VERDICT_LABELS = { pass: "Pass", fail: "Fail", warn: "Warning", manual: "Manual" } as const;

test("after a run, an admin reads the OWASP Top 10 self-audit and its trend in the console", async ({ browser }) => {
  const { consoleUrl } = stack();
  const admin = await actor(browser);
  await signInStaff(admin.page, "admin");
  await admin.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Security self-audit" }).click();
  await expect(admin.page).toHaveURL(`${consoleUrl}/console/self-audit`);
  await expect(admin.page.getByRole("heading", { level: 1, name: "Security self-audit" })).toBeVisible();
  // Before the first run: said in plain words, and an empty trend (no error).
  await expect(admin.page.getByText("No report has been stored yet.")).toBeVisible();
  await expect(admin.page.getByRole("main").getByRole("alert")).toHaveCount(0);
  await expect(admin.page.getByTestId("self-audit-trend")).toContainText("No run stored yet.");

  const report = runSelfAudit();
  await admin.page.reload();

  const latest = admin.page.getByTestId("self-audit-latest");
  await expect(latest).toContainText(report.generated_at.slice(0, 10));
  await expect(latest).toContainText(`${report.summary.fail} failed, ${report.summary.warn} warning(s), ${report.summary.manual} manual, ${report.summary.pass} passed`);
  await expect(admin.page.getByTestId("self-audit-overall")).toContainText(report.summary.fail > 0 ? "Fail:" : "No check failed");
  const advisories = report.findings.find((f) => f.id === "deps.advisories");
  await expect(admin.page.getByTestId("self-audit-advisory-age")).toHaveText(advisories?.verdict === "manual" ? /^not known/ : /day\(s\) old at the run/);

  for (const category of ["A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08", "A09", "A10"]) {
    await expect(admin.page.getByRole("heading", { level: 3, name: new RegExp(`^${category} `) })).toBeVisible();
  }
  await expect(admin.page.getByTestId("self-audit-finding")).toHaveCount(report.findings.length);
  // The app user of this stack holds every privilege: reported under A05, high, with its fix.
  const grants = admin.page.locator('[data-check="db.app_user_grants"]');
  await expect(grants).toContainText("Fail");
  await expect(grants).toContainText("high");
  for (const id of ["config.jwt_key_age", "config.audit_key_age", "db.password_hashes", "db.shred_due"]) {
    const stored = report.findings.find((f) => f.id === id);
    expect(stored, id).toBeDefined();
    await expect(admin.page.locator(`[data-check="${id}"]`)).toContainText(VERDICT_LABELS[stored!.verdict]);
  }
  const failing = report.findings.find((f) => f.verdict === "fail");
  if (failing) {
    const section = admin.page.getByTestId("self-audit-category").filter({ has: admin.page.getByRole("heading", { name: new RegExp(`^${failing.category} `) }) });
    await expect(section.locator(`[data-check="${failing.id}"]`)).toContainText(failing.fix);
  }

  const today = admin.page.getByTestId("self-audit-trend-day").filter({ hasText: report.generated_at.slice(0, 10) });
  await expect(today).toHaveCount(1);
  await expect(today.getByRole("cell").nth(1)).toHaveText(String(report.summary.fail));
  await checkPage(admin.page, "console-self-audit");
  expect(admin.problems).toEqual([]);
});

test("staff other than admins are not offered the self-audit, and the API refuses them", asvs("V8.2.1"), async ({ browser }) => {
  const { consoleUrl } = stack();
  const support = await actor(browser, [403]);
  await signInStaff(support.page, "support");
  const nav = support.page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Orders" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Security self-audit" })).toHaveCount(0);

  await support.page.goto(`${consoleUrl}/console/self-audit`);
  await expect(support.page.getByRole("main").getByRole("alert").first()).toContainText("Your account may not do this.");
  await expect(support.page.getByTestId("self-audit-latest")).toHaveCount(0);
  await expect(support.page.getByTestId("self-audit-finding")).toHaveCount(0);
  const statuses = await support.page.evaluate(async () =>
    Promise.all(["/api/v1/admin/self-audit/latest", "/api/v1/admin/self-audit/trend"].map(async (url) => (await fetch(url)).status)),
  );
  expect(statuses).toEqual([403, 403]);
  expect(support.problems).toEqual([]);
});
