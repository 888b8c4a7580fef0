/**
 * The app's web export in Chromium against the real API (MariaDB + Redis, demo data): the
 * demo customer signs in with password and TOTP over the token API, opens a quote and the
 * order's status and timeline, adds a home with its usage and gets a quote for it. Fixtures, TOTP codes and the stack come from the web app's
 * e2e harness.
 */
import { nextCode, demoCustomer } from "../../web/e2e/auth";
import { asvs, expect, test } from "../../web/e2e/fixtures";
import { readStack, updateState } from "../../web/e2e/harness/stack";
import { watchPage } from "../../web/e2e/helpers";

function appUrl(): string {
  const url = process.env.HELIO_MOBILE_APP_URL;
  if (!url) throw new Error("HELIO_MOBILE_APP_URL is not set (e2e/setup.ts)");
  return url;
}

async function api(path: string, init: RequestInit & { token?: string } = {}): Promise<unknown> {
  const { token, ...rest } = init;
  const response = await fetch(`${readStack().apiUrl}${path}`, {
    ...rest,
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
  const body: unknown = await response.json();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Give the demo customer an authenticator app, once, through the token API. */
async function enrolTotp(email: string, password: string): Promise<void> {
  if (readStack().state.totp[email]) return;
  const grant = (await api("/api/v1/auth/token", {
    method: "POST",
    body: JSON.stringify({ grant_type: "password", email, password }),
  })) as { access_token: string };
  const setup = (await api("/api/v1/auth/mfa/totp/setup", { method: "POST", token: grant.access_token })) as { secret: string };
  await api("/api/v1/auth/mfa/totp/confirm", {
    method: "POST",
    token: grant.access_token,
    body: JSON.stringify({ code: await nextCode(email, setup.secret) }),
  });
  updateState((state) => {
    state.totp[email] = setup.secret;
  });
}

test("the demo customer signs in with password and TOTP, reads a quote and the order's status, and gets a quote for a new home", asvs("V6.3.3"), async ({ page }) => {
  const { email, password } = demoCustomer();
  await enrolTotp(email, password);
  const problems = watchPage(page);

  await page.goto(appUrl());
  await expect(page.getByText("Sign in to Helio")).toBeVisible({ timeout: 30_000 });
  await page.getByTestId("email").fill(email);
  await page.getByTestId("password").fill(password);
  await page.getByTestId("sign-in").click();

  await expect(page.getByText("Second step")).toBeVisible();
  await page.getByTestId("mfa-code").fill(await nextCode(email, readStack().state.totp[email] ?? ""));
  await page.getByTestId("mfa-submit").click();
  await expect(page.getByText("Your solar projects")).toBeVisible();
  // The refresh token stays out of the page's storage (the web build keeps it in memory).
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  expect(stored).not.toMatch(/refresh|token|[A-Za-z0-9_-]{40,}/i);

  // A quote of the demo site: price and production.
  await page.locator("[data-testid^='quote-']").first().click();
  await expect(page.getByTestId("quote-price")).toBeVisible();
  await expect(page.getByText(/kWh a year/)).toBeVisible();
  await page.getByTestId("back").click();

  // The demo order: its status and timeline.
  await page.locator("[data-testid^='order-']").first().click();
  await expect(page.getByTestId("order-status")).toHaveText("Order placed");
  await expect(page.getByTestId("order-timeline")).toContainText("Order placed");
  await page.getByTestId("back").click();

  // A new home with twelve months of usage, and a quote computed for it.
  await page.getByTestId("go-sites").click();
  await page.getByTestId("add-site").click();
  const fill = async (entries: Record<string, string>) => {
    for (const [id, value] of Object.entries(entries)) await page.getByTestId(id).fill(value);
  };
  await fill({
    "site-label": "Holiday home",
    "site-line1": "2 Sonnenweg",
    "site-city": "Freiburg",
    "site-postal-code": "79098",
    "site-country": "DE",
    "site-latitude": "47.99",
    "site-longitude": "7.85",
    "site-timezone": "Europe/Berlin",
    "plane-0-area": "32",
    "plane-0-tilt": "30",
    "site-price": "0.35",
    "site-currency": "EUR",
  });
  await page.getByTestId("site-save").click();
  await expect(page.getByText("Monthly usage")).toBeVisible();
  for (let month = 0; month < 12; month++) await page.getByTestId(`month-${month}`).fill("300");
  await page.getByTestId("usage-save").click();
  const home = page.locator("[data-testid^='site-']", { hasText: "Holiday home" });
  await expect(home).toContainText("3600 kWh a year");
  await home.getByText("Get a quote").click();
  await expect(page.getByTestId("quote-price")).toContainText("EUR");
  await expect(page.getByText(/\d+ kWh a year/)).toBeVisible();
  await page.getByTestId("back").click();

  await page.getByTestId("sign-out").click();
  await expect(page.getByText("Sign in to Helio")).toBeVisible();
  expect(problems).toEqual([]);
});

test("the API grants cross-origin calls to the app's origin only", asvs("V3.4.2"), async () => {
  const { apiUrl } = readStack();
  const preflight = (origin: string) =>
    fetch(`${apiUrl}/api/v1/auth/token`, {
      method: "OPTIONS",
      headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
    });
  const allowed = await preflight(appUrl());
  expect(allowed.headers.get("access-control-allow-origin")).toBe(appUrl());
  const other = await preflight("http://127.0.0.1:1");
  expect(other.headers.get("access-control-allow-origin")).toBeNull();
  expect(other.headers.get("access-control-allow-credentials")).toBeNull();
});
