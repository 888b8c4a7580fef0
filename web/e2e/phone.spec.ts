import type { Page } from "@playwright/test";

import { expect, test } from "./fixtures";

import { demoCustomer, signInCustomer, signInStaff } from "./auth";
import { checkPage, stack, watchPage } from "./helpers";

/** The page fits the phone's width: nothing to scroll sideways (wide tables scroll in their own box). */
async function fitsTheScreen(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `horizontal overflow on ${page.url()}`).toBeLessThanOrEqual(0);
}

async function visit(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await expect(page.locator("h1").first()).toBeVisible();
  await fitsTheScreen(page);
  await checkPage(page, `phone-${name}`);
}

test("the portal on a phone: laid out for its width, installable, no accessibility problem", async ({ page }) => {
  const problems = watchPage(page);
  const { portalUrl, consoleUrl } = stack();
  expect(page.viewportSize()?.width).toBeLessThan(500);
  await visit(page, `${portalUrl}/`, "home");
  const manifest = await page.evaluate(async () => (await fetch("/manifest.webmanifest")).json());
  expect(manifest.display).toBe("standalone");
  expect(manifest.icons.length).toBeGreaterThan(0);
  await visit(page, `${portalUrl}/sign-up`, "sign-up");
  await visit(page, `${portalUrl}/sign-in`, "sign-in");

  const { email, password } = demoCustomer();
  await signInCustomer(page, email, password);
  await visit(page, `${portalUrl}/sites`, "sites");
  await page.getByRole("main").getByRole("link", { name: "Demo home" }).click();
  await expect(page).toHaveURL(/\/sites\/[0-9a-f]{32}$/);
  await fitsTheScreen(page);
  await checkPage(page, "phone-site");
  await page.getByRole("button", { name: "Get a quote" }).click();
  await expect(page).toHaveURL(/\/quotes\/[0-9a-f]{32}$/, { timeout: 60_000 });
  await expect(page.locator("svg.chart rect.production")).toHaveCount(12);
  await fitsTheScreen(page);
  await checkPage(page, "phone-quote");
  await visit(page, `${portalUrl}/orders`, "orders");
  await page.getByTestId("order-row").first().getByRole("link").click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f]{32}$/);
  await fitsTheScreen(page);
  await checkPage(page, "phone-order");
  await visit(page, `${portalUrl}/account`, "account");
  await visit(page, `${portalUrl}/account/sessions`, "sessions");
  // The navigation stays reachable on the small screen.
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Quotes" })).toBeVisible();

  await visit(page, `${consoleUrl}/sign-in`, "console-sign-in");
  expect(problems).toEqual([]);
});

test("the console on a phone: orders, an order and the pipeline fit the screen", async ({ page }) => {
  const problems = watchPage(page);
  const { consoleUrl } = stack();
  await signInStaff(page, "admin");
  await visit(page, `${consoleUrl}/console`, "console-home");
  await visit(page, `${consoleUrl}/console/orders`, "console-orders");
  await page.getByTestId("staff-order-row").first().getByRole("link").click();
  await expect(page).toHaveURL(/\/console\/orders\/[0-9a-f]{32}$/);
  await fitsTheScreen(page);
  await checkPage(page, "phone-console-order");
  await visit(page, `${consoleUrl}/console/pipeline`, "console-pipeline");
  await visit(page, `${consoleUrl}/console/audit`, "console-audit");
  expect(problems).toEqual([]);
});
