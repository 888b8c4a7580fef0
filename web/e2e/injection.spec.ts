import type { Page } from "@playwright/test";

import { asvs, expect, test } from "./fixtures";

import { signInCustomer, signInStaff, signUp } from "./auth";
import { newEmail, PASSWORD, stack, watchPage } from "./helpers";

// Markup a customer types into a profile field, and a staff member into a reason.
const NAME = `<img src=x onerror="window.__pwned='img'"><script>window.__pwned='script'</script>Mallory`;
const REASON = `Checking the name <script>window.__pwned='reason'</script> with the customer`;

/** Nothing ran, and the markup never became elements (the page data's JSON may quote it). */
async function nothingRan(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  const planted = await page.locator("script").evaluateAll((nodes) => nodes.filter((n) => n.textContent?.trim().startsWith("window.__pwned")).length);
  expect(planted).toBe(0);
}

test("a script injected through a profile field never runs, in the portal or the console", asvs("V1.1.2", "V1.2.1", "V1.2.3", "V3.2.2", "V3.4.3"), async ({ browser }) => {
  const customerPage = await (await browser.newContext()).newPage();
  const customerProblems = watchPage(customerPage);
  const email = newEmail("mallory");
  await signUp(customerPage, email, "Mallory Example");
  await signInCustomer(customerPage, email, PASSWORD);
  await customerPage.goto(`${stack().portalUrl}/account`);
  await customerPage.getByLabel("Full name").fill(NAME);
  await customerPage.getByRole("button", { name: "Save" }).click();
  await expect(customerPage.getByText("Saved.")).toBeVisible();
  await customerPage.reload();
  await expect(customerPage.getByLabel("Full name")).toHaveValue(NAME);
  await nothingRan(customerPage);
  expect(customerProblems).toEqual([]);

  const support = await (await browser.newContext()).newPage();
  const supportProblems = watchPage(support);
  await signInStaff(support, "support");
  await support.goto(`${stack().consoleUrl}/console/customers?query=${encodeURIComponent(email)}`);
  await support.getByRole("row").nth(1).getByRole("link").click();
  await expect(support).toHaveURL(/\/console\/customers\/[0-9a-f]{32}$/);
  await support.getByRole("checkbox", { name: "Name", exact: true }).check();
  await support.getByLabel("Reason (recorded in the audit log)").fill(REASON);
  await support.getByRole("button", { name: "Reveal" }).click();
  await expect(support.getByTestId("revealed-full_name")).toHaveText(NAME);
  await nothingRan(support);
  expect(supportProblems).toEqual([]);

  const admin = await (await browser.newContext()).newPage();
  const adminProblems = watchPage(admin);
  await signInStaff(admin, "admin");
  await admin.goto(`${stack().consoleUrl}/console/audit?action=customer.revealed`);
  await expect(admin.getByTestId("audit-row").filter({ hasText: REASON })).toHaveCount(1);
  await nothingRan(admin);
  expect(adminProblems).toEqual([]);
});
