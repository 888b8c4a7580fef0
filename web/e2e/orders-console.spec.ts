import type { Browser, Page } from "@playwright/test";

import { asvs, expect, test } from "./fixtures";

import { demoCustomer, signInCustomer, signInStaff } from "./auth";
import { checkPage, stack, watchPage } from "./helpers";

async function actor(browser: Browser, statuses: number[] = []): Promise<{ page: Page; problems: string[] }> {
  const page = await (await browser.newContext()).newPage();
  return { page, problems: watchPage(page, { statuses }) };
}

/** A `datetime-local` value `days` from now at `hour`:00 UTC (the form reads it as UTC). */
function utcSlot(days: number, hour: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString().slice(0, 16);
}

const NEW_PHONE = "+1 916 555 0142";

test("support finds the customer, corrects and reveals the phone, schedules and reschedules the order; the audit search shows the reveal and the reschedule", asvs("V8.2.3", "V16.3.3"), async ({ browser }) => {
  const { consoleUrl, portalUrl } = stack();
  const support = await actor(browser);
  await signInStaff(support.page, "support");
  const nav = support.page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Orders" })).toBeVisible();
  // The matrix gives support no leads and no pipeline: the console does not offer them.
  await expect(nav.getByRole("link", { name: "Leads" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "Pipeline" })).toHaveCount(0);

  await support.page.goto(`${consoleUrl}/console/customers?query=${encodeURIComponent(demoCustomer().email)}`);
  await support.page.getByRole("row").nth(1).getByRole("link").click();
  await expect(support.page).toHaveURL(/\/console\/customers\/[0-9a-f]{32}$/);
  const customerId = new URL(support.page.url()).pathname.split("/").pop() ?? "";

  const correction = support.page.getByRole("form", { name: "Correct the contact details" });
  await correction.getByLabel("Correct phone").fill(NEW_PHONE);
  await correction.getByLabel(/Reason for the correction/).fill("Customer called to give a new phone number");
  await correction.getByRole("button", { name: "Save the correction" }).click();
  await expect(support.page.getByText("The contact details are corrected")).toBeVisible();
  await expect(support.page.getByTestId("masked-phone")).toHaveText("+1 *** *** 0142");

  await support.page.getByRole("checkbox", { name: "Phone", exact: true }).check();
  await support.page.getByLabel("Reason (recorded in the audit log)").fill("Calling back to agree a survey date");
  await support.page.getByRole("button", { name: "Reveal" }).click();
  await expect(support.page.getByTestId("revealed-phone")).toHaveText(NEW_PHONE);

  await support.page.goto(`${consoleUrl}/console/orders?customer=${customerId}`);
  const row = support.page.getByTestId("staff-order-row").filter({ hasText: customerId });
  await expect(row).toHaveCount(1);
  await checkPage(support.page, "console-orders");
  await row.getByRole("link").click();
  await expect(support.page).toHaveURL(/\/console\/orders\/[0-9a-f]{32}$/);
  const orderId = new URL(support.page.url()).pathname.split("/").pop() ?? "";
  await expect(support.page.getByTestId("order-status")).toHaveText("Order placed");

  await support.page.getByRole("button", { name: "Record: Site survey scheduled" }).click();
  const step = support.page.getByRole("form", { name: "Record Site survey scheduled" });
  await step.getByLabel("Starts (UTC)").fill(utcSlot(7, 9));
  await step.getByLabel("Ends (UTC)").fill(utcSlot(7, 12));
  await step.getByRole("button", { name: "Confirm" }).click();
  await expect(support.page.getByText("Recorded: Site survey scheduled.")).toBeVisible();
  await expect(support.page.getByTestId("order-status")).toHaveText("Site survey scheduled");
  const first = `${utcSlot(7, 9).replace("T", " ")}–12:00 UTC`;
  await expect(support.page.getByTestId("survey-window")).toHaveText(first);

  const reschedule = support.page.getByRole("form", { name: "Reschedule" });
  await reschedule.getByLabel("Starts (UTC)").fill(utcSlot(8, 13));
  await reschedule.getByLabel("Ends (UTC)").fill(utcSlot(8, 16));
  await reschedule.getByLabel(/Reason for the change/).fill("The customer asked for the next afternoon");
  await reschedule.getByRole("button", { name: "Reschedule" }).click();
  await expect(support.page.getByText("The appointment is moved")).toBeVisible();
  const moved = `${utcSlot(8, 13).replace("T", " ")}–16:00 UTC`;
  await expect(support.page.getByTestId("survey-window")).toHaveText(moved);
  await expect(support.page.getByTestId("timeline-entry").filter({ hasText: "Appointment moved" })).toHaveCount(1);
  await checkPage(support.page, "console-order");
  expect(support.problems).toEqual([]);

  const admin = await actor(browser);
  await signInStaff(admin.page, "admin");
  await admin.page.goto(`${consoleUrl}/console/audit?action=customer.revealed`);
  const reveal = admin.page.getByTestId("audit-row").filter({ hasText: customerId });
  await expect(reveal).toHaveCount(1);
  await expect(reveal).toContainText("Calling back to agree a survey date");
  await admin.page.goto(`${consoleUrl}/console/audit?action=order.updated`);
  const rescheduled = admin.page.getByTestId("audit-row").filter({ hasText: orderId });
  await expect(rescheduled).toHaveCount(1);
  await expect(rescheduled).toContainText("The customer asked for the next afternoon");
  // Admin may stop an order but not record progress: only the cancellation is offered.
  await admin.page.goto(`${consoleUrl}/console/orders/${orderId}`);
  await expect(admin.page.getByRole("button", { name: "Cancel the order" })).toBeVisible();
  await expect(admin.page.getByRole("button", { name: /^Record:/ })).toHaveCount(0);
  await expect(admin.page.getByRole("form", { name: "Reschedule" })).toHaveCount(0);
  expect(admin.problems).toEqual([]);

  // The customer sees the moved appointment in the portal.
  const customer = await actor(browser);
  const { email, password } = demoCustomer();
  await signInCustomer(customer.page, email, password);
  await customer.page.goto(`${portalUrl}/orders/${orderId}`);
  await expect(customer.page.getByTestId("survey-window")).toHaveText(moved);
  await expect(customer.page.getByTestId("timeline-entry").filter({ hasText: "Appointment moved" })).toHaveCount(1);
  expect(customer.problems).toEqual([]);
});

test("sales enters and works a lead, claims a lead from the public form, and reads the pipeline", async ({ browser }) => {
  const { consoleUrl, portalUrl } = stack();
  // A visitor leaves a request on the public form (same origin, no session).
  const visitor = await actor(browser);
  await visitor.page.goto(`${portalUrl}/`);
  const status = await visitor.page.evaluate(async () => {
    const r = await fetch("/api/v1/leads", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Vera Visitor", postcode: "94110", email: "vera.visitor@example.org", message: "Call me about panels" }),
    });
    return r.status;
  });
  expect(status).toBe(202);

  const sales = await actor(browser);
  await signInStaff(sales.page, "sales");
  const nav = sales.page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Customers" })).toHaveCount(0);
  await nav.getByRole("link", { name: "Leads" }).click();
  await expect(sales.page).toHaveURL(/\/console\/leads$/);

  // The unassigned lead is listed masked; claiming it makes it the salesperson's.
  const unassigned = sales.page.getByTestId("lead-row").filter({ hasText: "unassigned" }).filter({ hasText: "V. V." }).first();
  await expect(unassigned).toContainText("94***");
  await expect(unassigned).not.toContainText("Vera");
  await unassigned.getByRole("link").click();
  await sales.page.getByRole("button", { name: "Claim this lead" }).click();
  await expect(sales.page.getByTestId("lead-owner")).toHaveText("you");
  await expect(sales.page.getByTestId("lead-name")).toHaveText("Vera Visitor");

  await sales.page.goto(`${consoleUrl}/console/leads`);
  await sales.page.getByText("Enter a lead").click();
  const entry = sales.page.getByRole("form", { name: "Enter a lead" });
  await entry.getByLabel("Name").fill("Paul Phone");
  await entry.getByLabel("Postcode").fill("95814");
  await entry.getByLabel("Phone").fill("+1 916 555 0199");
  await entry.getByRole("button", { name: "Save the lead" }).click();
  await expect(sales.page).toHaveURL(/\/console\/leads\/[0-9a-f]{32}$/);
  await expect(sales.page.getByTestId("lead-owner")).toHaveText("you");
  const update = sales.page.getByRole("form", { name: "Update the lead" });
  await update.getByLabel("Status").selectOption("qualified");
  await update.getByLabel("Estimated value").fill("14250.50");
  await update.getByLabel("Currency (three letters)").fill("USD");
  await update.getByRole("button", { name: "Save" }).click();
  await expect(sales.page.getByText("The lead is updated.")).toBeVisible();
  await expect(sales.page.getByTestId("lead-status")).toHaveText("qualified");
  await checkPage(sales.page, "console-lead");

  await sales.page.goto(`${consoleUrl}/console/leads`);
  await checkPage(sales.page, "console-leads");
  await nav.getByRole("link", { name: "Pipeline" }).click();
  const stages = sales.page.getByTestId("leads-by-stage");
  await expect(stages.locator("svg rect")).not.toHaveCount(0);
  await expect(stages.getByRole("row", { name: /qualified/ })).toContainText("14250.50 USD");
  await expect(sales.page.getByTestId("orders-by-month").getByRole("table")).toBeVisible();
  await checkPage(sales.page, "console-pipeline");
  expect(visitor.problems).toEqual([]);
  expect(sales.problems).toEqual([]);
});
