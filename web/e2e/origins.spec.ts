import { asvs, expect, test } from "./fixtures";

import { signUp, submitPassword } from "./auth";
import { direct, newEmail, PASSWORD, stack, watchPage } from "./helpers";

test("the portal refuses the console's origin and the console's API areas", asvs("V3.5.1", "V3.5.4"), async ({ request }) => {
  const portal = direct(stack().portalUrl);
  const consoleSite = direct(stack().consoleUrl);
  const asPortal = { headers: { Host: portal.host } };
  const foreign = await request.post(`${portal.url}/api/v1/auth/login`, {
    headers: { Host: portal.host, Origin: stack().consoleUrl },
    data: { email: "x@example.org", password: "whatever-it-is" },
  });
  expect(foreign.status()).toBe(403);
  expect((await foreign.json()).error.code).toBe("origin_refused");
  const wrongHost = await request.get(`${portal.url}/sign-in`, { headers: { Host: consoleSite.host } });
  expect(wrongHost.status()).toBe(421);
  expect((await request.get(`${portal.url}/api/v1/staff/customers?query=x`, asPortal)).status()).toBe(404);
  expect((await request.get(`${consoleSite.url}/api/v1/me`, { headers: { Host: consoleSite.host } })).status()).toBe(404);
  expect((await request.get(`${portal.url}/console`, asPortal)).status()).toBe(404);
  // A browser cannot pick the audience the pages render for.
  const posing = await request.get(`${portal.url}/sign-in`, { headers: { Host: portal.host, "X-Helio-Audience": "console" } });
  expect(await posing.text()).toContain("Sign in to Helio");
});

test("the liveness answer needs no host name and says nothing", async ({ request }) => {
  const portal = direct(stack().portalUrl);
  const answer = await request.get(`${portal.url}/healthz`, { headers: { Host: "10.0.3.7:8443" } });
  expect(answer.status()).toBe(200);
  expect(await answer.json()).toEqual({ status: "ok" });
  expect((await request.get(`${portal.url}/`, { headers: { Host: "10.0.3.7:8443" } })).status()).toBe(421);
});

test("pages carry a nonce CSP without unsafe script sources, and a custom 404", asvs("V3.4.3", "V3.4.6"), async ({ page }) => {
  const problems = watchPage(page, { statuses: [404] });
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

test("the console refuses a customer's session", asvs("V3.5.4", "V8.2.1"), async ({ page }) => {
  const problems = watchPage(page, { statuses: [403] }); // the staff API's answer to the customer
  const { portalUrl, consoleUrl } = stack();
  const email = newEmail("carl");
  await signUp(page, email, "Carl Customer");
  await submitPassword(page, portalUrl, email, PASSWORD);
  await expect(page).toHaveURL(/\/account\/security\?welcome=1$/);

  // The portal's session cookie is not the console's: the console asks to sign in.
  await page.goto(`${consoleUrl}/console`);
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fconsole$/);
  await expect(page.getByRole("heading", { name: "Staff sign-in" })).toBeVisible();

  // Signed in on the console's own origin, a customer still gets no staff page or data.
  await submitPassword(page, consoleUrl, email, PASSWORD);
  await expect(page.getByRole("heading", { name: "This console is for staff" })).toBeVisible();
  await page.goto(`${consoleUrl}/console/customers?query=${encodeURIComponent(email)}`);
  await expect(page.getByRole("heading", { name: "This console is for staff" })).toBeVisible();
  await expect(page.getByRole("table")).toHaveCount(0);
  const answer = await page.evaluate(async (query) => {
    const response = await fetch(`/api/v1/staff/customers?query=${encodeURIComponent(query)}`);
    return { status: response.status, body: (await response.json()) as { error?: { code?: string } } };
  }, email);
  expect(answer.status).toBe(403);
  expect(answer.body.error?.code).toBeTruthy();
  expect(problems).toEqual([]);
});
