import type { Page } from "@playwright/test";

import { expect, test } from "./fixtures";

import { demoCustomer, signInCustomer, signInStaff } from "./auth";
import { checkPage, stack, watchPage } from "./helpers";

/** Open `path` on `site`, wait for its heading, and run axe on it (with a screenshot). */
async function visit(page: Page, site: string, path: string, name: string): Promise<void> {
  await page.goto(`${site}${path}`);
  await expect(page.locator("h1").first()).toBeVisible();
  await checkPage(page, name);
}

test("no serious or critical axe violation on any page of the portal", async ({ page }) => {
  const problems = watchPage(page, { statuses: [404] }); // the not-found page
  const { portalUrl } = stack();
  const signedOut: Array<[string, string]> = [
    ["/", "portal-home"],
    ["/sign-in", "portal-sign-in"],
    ["/sign-up", "sign-up"],
    ["/verify-email", "verify-email-without-link"],
    ["/forgot-password", "forgot-password"],
    ["/reset-password", "reset-password-without-link"],
    ["/accept-invitation", "accept-invitation-without-link"],
    ["/offline", "offline"],
    ["/no-such-page", "not-found"],
  ];
  for (const [path, name] of signedOut) await visit(page, portalUrl, path, name);

  const { email, password } = demoCustomer();
  await signInCustomer(page, email, password);
  await page.goto(`${portalUrl}/sites`);
  await page.getByRole("main").getByRole("link", { name: "Demo home" }).click();
  await expect(page).toHaveURL(/\/sites\/[0-9a-f]{32}$/);
  const site = new URL(page.url()).pathname;
  await page.getByRole("button", { name: "Get a quote" }).click();
  await expect(page).toHaveURL(/\/quotes\/[0-9a-f]{32}$/, { timeout: 60_000 });
  const quote = new URL(page.url()).pathname;
  const signedIn: Array<[string, string]> = [
    ["/account", "account"],
    ["/account/security", "account-security"],
    ["/account/sessions", "account-sessions"],
    ["/account/data", "account-data"],
    ["/sites", "sites"],
    ["/sites/new", "site-new"],
    [site, "site"],
    ["/quotes", "quotes"],
    [quote, "quote"],
    ["/orders", "orders"],
  ];
  for (const [path, name] of signedIn) await visit(page, portalUrl, path, name);
  await page.goto(`${portalUrl}/orders`);
  await page.getByTestId("order-row").first().getByRole("link").click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f]{32}$/);
  await checkPage(page, "order");
  expect(problems).toEqual([]);
});

test("no serious or critical axe violation on any page of the console", async ({ page }) => {
  const problems = watchPage(page, { statuses: [404] });
  const { consoleUrl } = stack();
  for (const [path, name] of [
    ["/sign-in", "console-sign-in"],
    ["/offline", "console-offline"],
    ["/no-such-page", "console-not-found"],
  ] as const) {
    await visit(page, consoleUrl, path, name);
  }
  await signInStaff(page, "admin");
  await page.goto(`${consoleUrl}/console/customers?query=${encodeURIComponent(demoCustomer().email)}`);
  await page.getByRole("row").nth(1).getByRole("link").click();
  await expect(page).toHaveURL(/\/console\/customers\/[0-9a-f]{32}$/);
  const customer = new URL(page.url()).pathname;
  await page.goto(`${consoleUrl}/console/orders`);
  await page.getByTestId("staff-order-row").first().getByRole("link").click();
  await expect(page).toHaveURL(/\/console\/orders\/[0-9a-f]{32}$/);
  const order = new URL(page.url()).pathname;
  for (const [path, name] of [
    ["/console", "console-home"],
    [`/console/customers?query=${encodeURIComponent(demoCustomer().email)}`, "console-customers"],
    [customer, "console-customer"],
    ["/console/orders", "console-orders"],
    [order, "console-order"],
    ["/console/pipeline", "console-pipeline"],
    ["/console/grants", "console-grants"],
    ["/console/ops", "console-ops"],
    ["/console/staff", "console-staff"],
    ["/console/access-review", "console-access-review"],
    ["/console/audit", "console-audit"],
    ["/console/alerts", "console-alerts"],
    ["/console/self-audit", "console-self-audit-before-a-run"],
    ["/console/security", "console-security"],
  ] as const) {
    await visit(page, consoleUrl, path, name);
  }
  expect(problems).toEqual([]);
});
