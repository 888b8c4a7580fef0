import { asvs, expect, test } from "./fixtures";

import { advanceApiClock, enrolTotp, nextCode, signUp, submitPassword } from "./auth";
import { checkPage, newEmail, PASSWORD, stack, watchPage } from "./helpers";

test("a customer signs up, verifies, enrols TOTP, quotes, orders, uploads a roof photo, exports and deletes the account with a step-up", asvs("V6.3.3", "V7.5.1", "V10.1.1"), async ({ page }) => {
  // 403: the deletion's first answer (step_up_required); 415: the refused upload below.
  const problems = watchPage(page, { statuses: [403, 415] });
  const { portalUrl } = stack();
  const email = newEmail("ann");

  await page.goto(`${portalUrl}/`);
  await checkPage(page, "portal-home");
  await page.goto(`${portalUrl}/sign-up`);
  await checkPage(page, "sign-up");
  await signUp(page, email, "Ann Example");
  await checkPage(page, "verify-email");

  await submitPassword(page, portalUrl, email, PASSWORD);
  await expect(page).toHaveURL(/\/account\/security\?welcome=1$/);
  await checkPage(page, "security");
  const secret = await enrolTotp(page, email);

  // Only cookies hold the session: nothing in web storage.
  const stored = await page.evaluate(() => localStorage.length + sessionStorage.length);
  expect(stored).toBe(0);

  await page.goto(`${portalUrl}/sites/new`);
  await checkPage(page, "site-new");
  await page.getByLabel("Street and number").fill("1 Dolores Street");
  await page.getByLabel("City").fill("San Francisco");
  await page.getByLabel("Postal code").fill("94110");
  await page.getByLabel("Country (two letters)").fill("US");
  await page.getByLabel("Latitude").fill("37.7749");
  await page.getByLabel("Longitude").fill("-122.4194");
  await page.getByLabel("Time zone").fill("America/Los_Angeles");
  await page.getByLabel("Area (m²)").fill("28");
  await page.getByLabel("Tilt (°)").fill("22");
  await page.getByLabel("Facing (°)").fill("180");
  await page.getByLabel("Price per kWh").fill("0.32");
  await page.getByRole("button", { name: "Save the home" }).click();
  await expect(page).toHaveURL(/\/sites\/[0-9a-f]{32}$/);

  const monthly = [720, 640, 610, 540, 500, 480, 520, 540, 530, 580, 640, 700];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  for (const [i, month] of months.entries()) await page.getByLabel(`${month} (kWh)`).fill(String(monthly[i]));
  await page.getByRole("button", { name: "Save monthly use" }).click();
  await expect(page.getByText("Your use is saved.")).toBeVisible();
  await checkPage(page, "site");

  await page.getByRole("button", { name: "Get a quote" }).click();
  await expect(page).toHaveURL(/\/quotes\/[0-9a-f]{32}$/, { timeout: 60_000 });
  await expect(page.getByRole("heading", { name: "What this quote assumes" })).toBeVisible();
  await expect(page.locator("svg.chart rect.production")).toHaveCount(12);
  await checkPage(page, "quote");

  // The quote becomes an order (a second factor is enrolled above, as ordering requires).
  await page.getByRole("button", { name: "Order this system" }).click();
  await page.getByLabel("On-site contact name").fill("Ann Example");
  await page.getByLabel("On-site contact phone").fill("+1 415 555 0188");
  await page.getByRole("button", { name: "Place the order" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f]{32}$/);
  await expect(page.getByTestId("order-status")).toHaveText("Order placed");
  await expect(page.getByTestId("timeline-entry")).toHaveCount(1);
  await expect(page.getByTestId("timeline-entry").first()).toContainText("Order placed");
  await expect(page.getByRole("list", { name: "Steps of the order" }).locator("[aria-current=step]")).toHaveText("Order placed");
  await page.getByRole("button", { name: "Pay the deposit" }).click();
  await expect(page.getByTestId("deposit-status")).toHaveText("requested");
  await expect(page.getByTestId("payment-status")).toHaveText(/Deposit requested/);
  await expect(page.getByTestId("timeline-entry")).toHaveCount(2);

  // A roof photo for the order: a small JPEG drawn in the browser, uploaded through the relay.
  const jpeg = Buffer.from(
    await page.evaluate(() => {
      const canvas = document.createElement("canvas");
      canvas.width = 64;
      canvas.height = 48;
      const context = canvas.getContext("2d");
      if (context === null) throw new Error("no 2d canvas");
      context.fillStyle = "#3a6ea5";
      context.fillRect(0, 0, 64, 48);
      context.fillStyle = "#f2c14e";
      context.fillRect(8, 8, 24, 16);
      return canvas.toDataURL("image/jpeg", 0.9).split(",")[1] ?? "";
    }),
    "base64",
  );
  expect(jpeg.subarray(0, 2).toString("hex")).toBe("ffd8");
  // The server decides from the bytes, not the name or the declared type: shown in plain words with the reference.
  await page.getByLabel("Roof photo or bill").setInputFiles({ name: "roof.jpg", mimeType: "image/jpeg", buffer: Buffer.from("not a photo\n") });
  await page.getByRole("button", { name: "Upload document" }).click();
  const refusal = page.getByRole("alert").filter({ hasText: "Send a JPEG, PNG or HEIC photo or a PDF bill." });
  await expect(refusal).toBeVisible();
  await expect(refusal.getByTestId("request-id")).toHaveText(/^[0-9A-Za-z-]{8,}$/);
  await expect(page.getByText("No documents yet.")).toBeVisible();
  await page.getByLabel("Roof photo or bill").setInputFiles({ name: "roof.jpg", mimeType: "image/jpeg", buffer: jpeg });
  await page.getByRole("button", { name: "Upload document" }).click();
  await expect(page.getByText("Your document is uploaded.")).toBeVisible();
  await expect(page.getByTestId("document-row")).toHaveCount(1);
  await expect(page.getByTestId("document-row")).toContainText("Roof photo");
  // The download comes back through the relay as an attachment, still a JPEG (re-encoded by the API).
  const photo = page.waitForEvent("download");
  await page.getByTestId("document-row").getByRole("link").click();
  const photoBytes = Buffer.concat(await (await (await photo).createReadStream()).toArray());
  expect(photoBytes.subarray(0, 2).toString("hex")).toBe("ffd8");
  await checkPage(page, "order");
  const orderPath = new URL(page.url()).pathname;
  await page.goto(`${portalUrl}/orders`);
  await expect(page.getByTestId("order-row")).toHaveCount(1);
  await checkPage(page, "orders");
  await page.getByTestId("order-row").getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`${orderPath}$`));

  await page.goto(`${portalUrl}/account/data`);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download my data" }).click();
  const exported = JSON.parse(await (await (await download).createReadStream()).toArray().then((c) => Buffer.concat(c).toString()));
  expect(exported.profile.email).toBe(email);
  await checkPage(page, "data");

  // The sign-in's own check is five minutes old by the API's clock: deletion asks again.
  await advanceApiClock();
  await page.getByRole("button", { name: "Delete my account" }).click();
  await page.getByRole("button", { name: "Yes, delete my account" }).click();
  await expect(page.getByRole("form", { name: "Confirm it is you" })).toBeVisible();
  await expect(page.getByText("Your account is deleted.")).toHaveCount(0);
  await page.getByLabel(/Code from your authenticator app/).fill(await nextCode(email, secret));
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByText("Your account is deleted.")).toBeVisible();

  // The session ended with the account: the portal asks to sign in again.
  await page.goto(`${portalUrl}/account`);
  await expect(page).toHaveURL(/\/sign-in\?next=%2Faccount$/);
  expect(problems).toEqual([]);
});
