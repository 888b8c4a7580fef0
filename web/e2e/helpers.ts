import fs from "node:fs";
import path from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

import { readStack } from "./harness/stack";

export const stack = () => readStack();
export const PASSWORD = "sunny roof over the quiet valley";

/**
 * Fail the test on any console error, uncaught error, dialog or CSP / Trusted Types
 * violation. `statuses` names HTTP refusals the test provokes on purpose (Chromium logs
 * every 4xx answer as a console error).
 */
export function watchPage(page: Page, { statuses = [] as number[] } = {}): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    const deliberate = statuses.some((status) => m.text().includes(`status of ${status} `));
    if (m.type() === "error" && !deliberate) problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  void page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return problems;
}

/** No serious or critical axe violation; a screenshot of the page under e2e/screenshots/. */
export async function checkPage(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), `axe on ${page.url()}`).toEqual([]);
  const dir = path.join(import.meta.dirname, "screenshots");
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** The `#token=` link of the newest mail to `address` whose text contains `marker`. */
export async function mailLink(address: string, marker: string): Promise<string> {
  const dir = stack().mailDir;
  for (let i = 0; i < 60; i++) {
    // The sink keeps a decoded .txt beside each .eml: links read whole there.
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".txt")).sort().reverse() : [];
    for (const file of files) {
      const text = fs.readFileSync(path.join(dir, file), "utf8");
      if (text.includes(`To: ${address}`) && text.includes(marker)) {
        const match = /(https?:\/\/[^\s"<>]+#token=[A-Za-z0-9_-]+)/.exec(text);
        if (match?.[1]) return match[1];
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no mail to ${address} with ${marker}`);
}

/** A URL on 127.0.0.1 plus the Host header, for HTTP-level tests (Node does not resolve *.localhost). */
export function direct(url: string): { url: string; host: string } {
  const parsed = new URL(url);
  const host = parsed.host;
  parsed.hostname = "127.0.0.1";
  return { url: parsed.href.replace(/\/$/, ""), host };
}

/** A fresh address for this run. */
export function newEmail(who: string): string {
  return `${who}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.org`;
}
