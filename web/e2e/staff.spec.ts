import type { Browser, Page } from "@playwright/test";

import { asvs, expect, forgetAddressCounters, test } from "./fixtures";

import { advanceApiClock, demoStaff, nextCode, signInCustomer, signInStaff, signUp, totpSecret } from "./auth";
import { checkPage, newEmail, PASSWORD, stack, watchPage } from "./helpers";

const PHONE = "+1 415 555 0134";

async function actor(browser: Browser, statuses: number[] = []): Promise<{ page: Page; problems: string[] }> {
  const page = await (await browser.newContext()).newPage();
  return { page, problems: watchPage(page, { statuses }) };
}

/** A new customer with a phone number, signed up and confirmed through the portal. */
async function customerWithPhone(browser: Browser): Promise<{ email: string; id: string }> {
  const { page, problems } = await actor(browser);
  const email = newEmail("cleo");
  await signUp(page, email, "Cleo Customer");
  await signInCustomer(page, email, PASSWORD);
  await page.goto(`${stack().portalUrl}/account`);
  await page.getByLabel("Phone").fill(PHONE);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  const id = await page.evaluate(async () => ((await (await fetch("/api/v1/auth/whoami")).json()) as { user_id: string }).user_id);
  expect(id).toMatch(/^[0-9a-f]{32}$/);
  expect(problems).toEqual([]);
  await page.context().close();
  return { email, id };
}

test.describe.serial("the staff console", () => {
  let customer: { email: string; id: string };

  test.beforeAll(async ({ browser }) => {
    forgetAddressCounters(); // test-scoped fixtures have not run yet
    customer = await customerWithPhone(browser);
  });

  test("support finds the customer by phone, sees masked data, reveals the phone with a reason; the audit shows it", asvs("V8.2.3", "V16.3.3"), async ({ browser }) => {
    const support = await actor(browser);
    await signInStaff(support.page, "support");
    await checkPage(support.page, "console-home");
    await support.page.getByRole("link", { name: "Customers" }).first().click();
    await support.page.getByLabel("Exact email or phone, or the start of a name").fill(PHONE);
    await support.page.getByRole("button", { name: "Search" }).click();
    const row = support.page.getByRole("row").filter({ hasText: "C. C." });
    await expect(row).toContainText("0134");
    await expect(row).not.toContainText("555");
    await expect(row).not.toContainText(customer.email);
    await checkPage(support.page, "console-customers");

    await row.getByRole("link").click();
    await expect(support.page).toHaveURL(/\/console\/customers\/[0-9a-f]{32}$/);
    await expect(support.page.getByTestId("masked-phone")).toHaveText("+1 *** *** 0134");
    await expect(support.page.getByTestId("masked-full_name")).toHaveText("C. C.");
    await checkPage(support.page, "console-customer");
    await support.page.getByRole("checkbox", { name: "Phone", exact: true }).check();
    await support.page.getByLabel("Reason (recorded in the audit log)").fill("Customer asked for a call back about the survey");
    await support.page.getByRole("button", { name: "Reveal" }).click();
    await expect(support.page.getByTestId("revealed-phone")).toHaveText(PHONE);
    expect(support.problems).toEqual([]);

    const admin = await actor(browser);
    await signInStaff(admin.page, "admin");
    await admin.page.goto(`${stack().consoleUrl}/console/audit?action=customer.revealed`);
    const event = admin.page.getByTestId("audit-row").filter({ hasText: customer.id });
    await expect(event).toHaveCount(1);
    await expect(event).toContainText("Customer asked for a call back about the survey");
    await expect(event).toContainText("success");
    await checkPage(admin.page, "console-audit");
    expect(admin.problems).toEqual([]);
  });

  test("an engineer asks for a grant, an admin approves it with a step-up, the engineer sees the customer until it is revoked", asvs("V8.2.2", "V8.3.1"), async ({ browser }) => {
    const { consoleUrl } = stack();
    const engineer = await actor(browser);
    await signInStaff(engineer.page, "engineer");
    await engineer.page.goto(`${consoleUrl}/console/customers/${customer.id}`);
    await expect(engineer.page.getByRole("main").getByRole("alert")).toContainText("We could not find that.");
    await expect(engineer.page.getByTestId("masked-phone")).toHaveCount(0);

    await engineer.page.goto(`${consoleUrl}/console/grants`);
    await engineer.page.getByLabel("Customer id").fill(customer.id);
    await engineer.page.getByLabel("Reason").fill("Investigating a failed quote for ticket 4711");
    await engineer.page.getByLabel("Minutes").fill("30");
    await engineer.page.getByRole("button", { name: "Ask for access" }).click();
    await expect(engineer.page.getByText("Your request waits for an admin.")).toBeVisible();
    await checkPage(engineer.page, "console-grants");

    const admin = await actor(browser, [403]); // the approval's first answer: step_up_required
    await signInStaff(admin.page, "admin");
    // The sign-in's own check is five minutes old by the API's clock: approving asks again.
    await advanceApiClock();
    await admin.page.goto(`${consoleUrl}/console/grants`);
    const pending = admin.page.getByRole("row").filter({ hasText: customer.id }).filter({ hasText: "pending" });
    await pending.getByRole("button", { name: "Approve" }).click();
    const { email } = demoStaff("admin");
    await pending.getByLabel(/Code from your authenticator app/).fill(await nextCode(email, totpSecret(email) ?? ""));
    await pending.getByRole("button", { name: "Confirm" }).click();
    const active = admin.page.getByRole("row").filter({ hasText: customer.id }).filter({ hasText: "active" });
    await expect(active).toHaveCount(1);

    await engineer.page.goto(`${consoleUrl}/console/customers/${customer.id}`);
    await expect(engineer.page.getByTestId("masked-phone")).toHaveText("+1 *** *** 0134");

    await active.getByRole("button", { name: "Revoke" }).click();
    await expect(admin.page.getByRole("row").filter({ hasText: customer.id }).filter({ hasText: "revoked" })).toHaveCount(1);

    await engineer.page.goto(`${consoleUrl}/console/customers/${customer.id}`);
    await expect(engineer.page.getByRole("main").getByRole("alert")).toContainText("We could not find that.");
    await expect(engineer.page.getByTestId("masked-phone")).toHaveCount(0);
    expect(engineer.problems).toEqual([]);
    expect(admin.problems).toEqual([]);
  });
});
