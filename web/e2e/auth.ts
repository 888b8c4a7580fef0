/** Signing up and in through the pages, the TOTP codes the API expects, and its clock. */
import crypto from "node:crypto";

import { expect, type Page } from "@playwright/test";

import { readStack, updateState } from "./harness/stack";
import { mailLink, PASSWORD } from "./helpers";

function base32(secret: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of one time step. */
function totpAt(secret: string, step: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = crypto.createHmac("sha1", base32(secret)).update(msg).digest();
  const offset = (h[h.length - 1] ?? 0) & 0xf;
  return String((h.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** The API's current TOTP step (its clock may run ahead, see advanceApiClock). */
function apiStep(): number {
  return Math.floor((Date.now() / 1000 + readStack().state.clockOffset) / 30);
}

/**
 * A code the API accepts now for `email`: the API takes each step once and at most one
 * step ahead, so after a code of the next step this waits for the clock to catch up.
 */
export async function nextCode(email: string, secret: string): Promise<string> {
  const last = readStack().state.lastStep[email] ?? -1;
  while (last + 1 > apiStep() + 1) await new Promise((r) => setTimeout(r, 1000));
  const step = Math.max(apiStep(), last + 1);
  updateState((state) => {
    state.lastStep[email] = step;
  });
  return totpAt(secret, step);
}

export function totpSecret(email: string): string | undefined {
  return readStack().state.totp[email];
}

/** Move the API's clock six minutes forward, so that a step-up window lapses. */
export async function advanceApiClock(): Promise<void> {
  process.kill(readStack().apiPid, "SIGUSR1");
  updateState((state) => {
    state.clockOffset += 360;
  });
  await new Promise((r) => setTimeout(r, 300));
}

/** Sign up on the portal and confirm the address from the mail in the sink. */
export async function signUp(page: Page, email: string, fullName: string): Promise<void> {
  const { portalUrl } = readStack();
  await page.goto(`${portalUrl}/sign-up`);
  await page.getByLabel("Full name").fill(fullName);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Check your mail")).toBeVisible({ timeout: 30_000 });
  const link = await mailLink(email, "verify-email");
  expect(new URL(link).origin).toBe(portalUrl);
  await page.goto(link);
  await expect(page.getByText("Your email address is confirmed.")).toBeVisible();
}

/** Fill the sign-in form of `site` (the portal's or the console's). */
export async function submitPassword(page: Page, site: string, email: string, password: string): Promise<void> {
  await page.goto(`${site}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Enrol an authenticator app on the security page shown; keep its secret for later sign-ins. */
export async function enrolTotp(page: Page, email: string): Promise<string> {
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secret = ((await page.getByTestId("totp-secret").textContent()) ?? "").trim();
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  await page.getByLabel("The six-digit code the app shows").fill(await nextCode(email, secret));
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("list", { name: "Recovery codes" })).toBeVisible();
  updateState((state) => {
    state.totp[email] = secret;
  });
  return secret;
}

/** Answer the second step of sign-in with the next TOTP code. */
export async function secondStep(page: Page, email: string): Promise<void> {
  const secret = totpSecret(email);
  if (!secret) throw new Error(`${email} has no authenticator enrolled`);
  await expect(page.getByRole("heading", { name: "Second step" })).toBeVisible();
  await page.getByLabel("Code from your authenticator app").fill(await nextCode(email, secret));
  await page.getByRole("button", { name: "Verify" }).click();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
}

export type StaffRole = "support" | "sales" | "engineer" | "admin";

export function demoStaff(role: StaffRole): { email: string; password: string } {
  const email = `demo.${role}@helio.localhost`;
  const password = readStack().passwords[email];
  if (!password) throw new Error(`no demo password for ${email}`);
  return { email, password };
}

export function demoCustomer(): { email: string; password: string } {
  const email = "demo.customer@helio.localhost";
  return { email, password: readStack().passwords[email] ?? "" };
}

/**
 * Sign a demo staff member in to the console. The first time, staff must enrol a second
 * factor (the console allows nothing else), then sign in again with it.
 */
export async function signInStaff(page: Page, role: StaffRole): Promise<void> {
  const { consoleUrl } = readStack();
  const { email, password } = demoStaff(role);
  await submitPassword(page, consoleUrl, email, password);
  if (!totpSecret(email)) {
    await expect(page).toHaveURL(/\/console\/security\?enrol=1$/);
    await expect(page.getByText("Staff accounts must use two-step verification.")).toBeVisible();
    await enrolTotp(page, email);
    await signOut(page);
    await submitPassword(page, consoleUrl, email, password);
  }
  await secondStep(page, email);
  await expect(page).toHaveURL(/\/console$/);
}

/** Sign the demo customer in to the portal (no second factor unless a test enrolled one). */
export async function signInCustomer(page: Page, email: string, password: string): Promise<void> {
  await submitPassword(page, readStack().portalUrl, email, password);
  if (totpSecret(email)) await secondStep(page, email);
  await expect(page).not.toHaveURL(/\/sign-in/);
}
