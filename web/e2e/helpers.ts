import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

import { readStack } from "./harness/stack";

export const stack = () => readStack();
export const PASSWORD = "sunny roof over the quiet valley";

/** Fail the test on any console error, uncaught error or CSP / Trusted Types violation. */
export function watchPage(page: Page, { expect404 = false } = {}): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    const deliberate404 = expect404 && m.text().includes("status of 404");
    if (m.type() === "error" && !deliberate404) problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
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
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  const dir = path.join(import.meta.dirname, "screenshots");
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** The `#token=` link of the newest mail to `address` whose text contains `marker`. */
export async function mailLink(address: string, marker: string): Promise<string> {
  const dir = stack().mailDir;
  for (let i = 0; i < 60; i++) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort().reverse() : [];
    for (const file of files) {
      // Quoted-printable: soft line breaks and =XX escapes.
      const text = fs
        .readFileSync(path.join(dir, file), "utf8")
        .replace(/=\r?\n/g, "")
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      if (text.includes(address) && text.includes(marker)) {
        const match = /(https?:\/\/[^\s"<>]+#token=[A-Za-z0-9_-]+)/.exec(text);
        if (match?.[1]) return match[1];
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no mail to ${address} with ${marker}`);
}

function base32(secret: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) for `step` steps from now. */
export function totp(secret: string, step = 0): string {
  const counter = Math.floor(Date.now() / 30000) + step;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = crypto.createHmac("sha1", base32(secret)).update(msg).digest();
  const offset = (h[h.length - 1] ?? 0) & 0xf;
  const code = (h.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, "0");
}

/** A URL on 127.0.0.1 plus the Host header, for HTTP-level tests (Node does not resolve *.localhost). */
export function direct(url: string): { url: string; host: string } {
  const parsed = new URL(url);
  const host = parsed.host;
  parsed.hostname = "127.0.0.1";
  return { url: parsed.href.replace(/\/$/, ""), host };
}
