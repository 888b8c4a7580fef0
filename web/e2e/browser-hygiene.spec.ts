/**
 * What the browser keeps and where it goes: password fields, sign-out on every signed-in
 * layout, no personal data or tokens in web storage or readable cookies, nothing left after
 * signing out, and no redirect to another site after signing in.
 */
import type { Page } from "@playwright/test";

import { asvs, expect, test } from "./fixtures";

import { signOut, signUp } from "./auth";
import { newEmail, PASSWORD, stack, watchPage } from "./helpers";

const NAME = "Pat Storage";

/** Everything the page's scripts can read: web storage, readable cookies, IndexedDB and caches. */
async function readable(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const databases = "databases" in indexedDB ? await indexedDB.databases() : [];
    const cacheKeys: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) cacheKeys.push(request.url);
    }
    return JSON.stringify({
      local: { ...localStorage },
      session: { ...sessionStorage },
      cookie: document.cookie,
      databases: databases.map((d) => d.name),
      cacheKeys,
    });
  });
}

async function signInWithNext(page: Page, email: string, next: string): Promise<void> {
  await page.goto(`${stack().portalUrl}/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
}

test("password fields mask the entry and allow pasting and password managers", asvs("V6.2.6", "V6.2.7"), async ({ page }) => {
  const { portalUrl } = stack();
  for (const [path, autocomplete] of [
    ["/sign-in", "current-password"],
    ["/sign-up", "new-password"],
  ] as const) {
    await page.goto(`${portalUrl}${path}`);
    const field = page.getByLabel("Password", { exact: true });
    await expect(field).toHaveAttribute("type", "password");
    await expect(field).toHaveAttribute("autocomplete", autocomplete);
    // A paste event is not cancelled, and pasted text lands in the field.
    const accepted = await field.evaluate((input) => {
      const data = new DataTransfer();
      data.setData("text/plain", "pasted secret words");
      return input.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    });
    expect(accepted).toBe(true);
    await field.focus();
    await page.keyboard.insertText("pasted secret words");
    await expect(field).toHaveValue(/pasted secret words/);
    expect(await field.getAttribute("onpaste")).toBeNull();
  }
});

test("signed-in pages offer sign-out, keep nothing personal in the browser, and never redirect off-site", asvs("V3.7.2", "V7.4.4", "V14.2.3", "V14.3.1", "V14.3.3"), async ({ page }) => {
  const problems = watchPage(page);
  const { portalUrl } = stack();
  // Every request the signed-in pages make goes to Helio's own origin: no tracker, no CDN.
  const foreign: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol.startsWith("http") && url.origin !== portalUrl) foreign.push(request.url());
  });
  const email = newEmail("pat");
  await signUp(page, email, NAME);

  for (const next of ["https://evil.example/x", "//evil.example/x", "/\\evil.example/x"]) {
    await signInWithNext(page, email, next);
    expect(new URL(page.url()).origin).toBe(portalUrl);
    for (const path of ["/account", "/sites", "/quotes"]) {
      await page.goto(`${portalUrl}${path}`);
      await expect(page).toHaveURL(new RegExp(`${path}`));
      await expect(page.getByRole("banner").getByRole("button", { name: "Sign out" })).toBeVisible();
      const seen = await readable(page);
      expect(seen).not.toContain(email);
      expect(seen).not.toContain(NAME);
      expect(seen).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no JWT
    }
    // The session cookie is HttpOnly: scripts see no cookie that names the session.
    const cookies = await page.context().cookies();
    expect(cookies.filter((c) => !c.httpOnly && /sess|token|auth/i.test(c.name) && !/csrf/i.test(c.name))).toEqual([]);
    for (const cookie of cookies) expect(decodeURIComponent(cookie.value)).not.toContain(email);

    await signOut(page);
    const after = await readable(page);
    expect(after).not.toContain(email);
    expect(after).not.toContain(NAME);
    expect((await page.context().cookies()).filter((c) => c.httpOnly)).toEqual([]);
    await page.goto(`${portalUrl}/account`);
    await expect(page).toHaveURL(/\/sign-in/);
  }
  expect(foreign).toEqual([]);
  expect(problems).toEqual([]);
});
