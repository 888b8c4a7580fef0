import { expect, test } from "@playwright/test";

import { stack, watchPage } from "./helpers";

test("the portal refuses the console's origin and the console's API areas", async ({ request }) => {
  const { portalUrl, consoleUrl } = stack();
  const foreign = await request.post(`${portalUrl}/api/v1/auth/login`, {
    headers: { Origin: consoleUrl },
    data: { email: "x@example.org", password: "whatever-it-is" },
  });
  expect(foreign.status()).toBe(403);
  expect((await foreign.json()).error.code).toBe("origin_refused");
  expect((await request.get(`${portalUrl}/api/v1/staff/customers?query=x`)).status()).toBe(404);
  expect((await request.get(`${consoleUrl}/api/v1/me`)).status()).toBe(404);
  expect((await request.get(`${portalUrl}/console`)).status()).toBe(404);
});

test("pages carry a nonce CSP without unsafe script sources, and a custom 404", async ({ page }) => {
  const problems = watchPage(page);
  const { portalUrl } = stack();
  const answer = await page.goto(`${portalUrl}/no-such-page`);
  expect(answer?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "We could not find that page" })).toBeVisible();
  const csp = answer?.headers()["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp).not.toContain("unsafe-inline");
  expect(csp).not.toContain("unsafe-eval");
  expect(csp).toContain("require-trusted-types-for 'script'");
  expect(problems).toEqual([]);
});
