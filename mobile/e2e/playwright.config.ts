import { defineConfig, devices } from "@playwright/test";

// Ports of the API and its mail sink (the harness takes base .. base+3): away from the web
// app's 18420 so both suites can run on one machine; HELIO_E2E_BASE_PORT moves them.
process.env.HELIO_E2E_BASE_PORT ??= "18460";

// Debian's Chromium, never a downloaded browser.
const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
};

export default defineConfig({
  testDir: ".",
  globalSetup: "./setup.ts",
  globalTeardown: "./teardown.ts",
  fullyParallel: false,
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  outputDir: "../test-results",
  use: { launchOptions, trace: "off", screenshot: "off" },
  projects: [{ name: "phone", use: { ...devices["Pixel 7"], launchOptions } }],
});
