import { asvs, expect, test } from "./fixtures";

import { demoCustomer, signInCustomer, submitPassword } from "./auth";
import { newEmail, stack, watchPage } from "./helpers";

// After 5 failed sign-ins from one address (AuthPolicy.pow_after_address_failures), the API
// answers the next sign-in from it with 403 pow_required. Later tests from this address
// then solve one too: the solver works, it only costs them a second.
test("after failed sign-ins from this address, signing in solves a proof of work in a Web Worker", asvs("V2.4.1", "V6.3.1"), async ({ page }) => {
  const problems = watchPage(page, { statuses: [401, 403] }); // the failures, then pow_required
  const workers: string[] = [];
  page.on("worker", (worker) => workers.push(new URL(worker.url()).pathname));
  for (let i = 0; i < 5; i++) {
    await submitPassword(page, stack().portalUrl, newEmail("nobody"), "not the right password");
    await expect(page.getByRole("main").getByRole("alert")).toContainText("Email or password is incorrect.");
  }
  expect(workers).toEqual([]);
  const { email, password } = demoCustomer();
  await signInCustomer(page, email, password);
  expect(workers).toHaveLength(1);
  expect(workers[0]).toMatch(/^\/_next\/static\/chunks\/turbopack-worker-[A-Za-z0-9_-]+\.js$/);
  expect(problems).toEqual([]);
});
