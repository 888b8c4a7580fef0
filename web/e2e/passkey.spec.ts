import { asvs, expect, test } from "./fixtures";

import { signOut, signUp, submitPassword } from "./auth";
import { checkPage, newEmail, PASSWORD, stack, watchPage } from "./helpers";

test("a customer adds a passkey and uses it as the second step of signing in", asvs("V6.3.3"), async ({ page }) => {
  const problems = watchPage(page);
  const { portalUrl } = stack();
  const email = newEmail("pia");
  // A platform authenticator that needs no touch: Chromium's virtual one, over CDP.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });

  await signUp(page, email, "Pia Passkey");
  await submitPassword(page, portalUrl, email, PASSWORD);
  await expect(page).toHaveURL(/\/account\/security\?welcome=1$/);
  await page.getByLabel("Name of the new passkey").fill("Test laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("list", { name: "Recovery codes" })).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: "Test laptop" })).toBeVisible();
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]?.rpId).toBe(new URL(portalUrl).hostname);

  await signOut(page);
  await submitPassword(page, portalUrl, email, PASSWORD);
  await expect(page.getByRole("heading", { name: "Second step" })).toBeVisible();
  await page.getByRole("button", { name: "Use your passkey" }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  await page.goto(`${portalUrl}/account/security`);
  await expect(page.getByRole("heading", { name: "Sign-in security" })).toBeVisible();
  const after = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(after.credentials[0]?.signCount).toBeGreaterThan(credentials[0]?.signCount ?? 0);
  expect(problems).toEqual([]);
});

test("a customer signs in with a passkey only: no email, no password", asvs("V6.3.3"), async ({ page }) => {
  const problems = watchPage(page);
  const { portalUrl } = stack();
  const email = newEmail("paco");
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  // A discoverable (resident) credential on a platform authenticator that verifies its user.
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });

  await signUp(page, email, "Paco Passkey");
  await submitPassword(page, portalUrl, email, PASSWORD);
  await expect(page).toHaveURL(/\/account\/security\?welcome=1$/);
  await page.getByLabel("Name of the new passkey").fill("This phone");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: "This phone" })).toBeVisible();
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]?.isResidentCredential).toBe(true);
  await signOut(page);

  await page.goto(`${portalUrl}/sign-in?next=%2Faccount`);
  await checkPage(page, "portal-sign-in");
  await expect(page.getByLabel("Email")).toHaveValue("");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  const me = await page.evaluate(async () => (await (await fetch("/api/v1/auth/whoami")).json()) as { kind: string; mfa_verified: boolean });
  expect(me).toMatchObject({ kind: "customer", mfa_verified: true });
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  const after = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(after.credentials[0]?.signCount).toBeGreaterThan(credentials[0]?.signCount ?? 0);

  expect(problems).toEqual([]);
});
