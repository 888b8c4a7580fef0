/**
 * The `test` every spec uses: before each test, the per-address counters of the API (failed
 * sign-ins, sign-ups; AuthPolicy's hourly windows) start afresh in the harness's own Redis
 * database, as if an hour had passed. Every browser test comes from 127.0.0.1, so without
 * this a test's sign-ins would need proof of work because of the tests before it.
 */
import { execFileSync } from "node:child_process";

import { test as base } from "@playwright/test";

import { readStack } from "./harness/stack";

const ADDRESS_COUNTERS = ["helio:ipf:*", "helio:ipp:*", "helio:netf:*"];

export function forgetAddressCounters(): void {
  const url = readStack().redisUrl;
  for (const pattern of ADDRESS_COUNTERS) {
    const keys = execFileSync("redis-cli", ["-u", url, "--scan", "--pattern", pattern], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    if (keys.length > 0) execFileSync("redis-cli", ["-u", url, "DEL", ...keys]);
  }
}

export const test = base.extend<{ freshAddressCounters: void }>({
  freshAddressCounters: [
    async ({}, use) => {
      forgetAddressCounters();
      await use();
    },
    { auto: true },
  ],
});

export { expect } from "@playwright/test";

/** The ASVS requirements a test proves (docs/security/asvs-selection.csv), as annotations. */
export function asvs(...ids: string[]): { annotation: Array<{ type: string; description: string }> } {
  return { annotation: ids.map((id) => ({ type: "asvs", description: id })) };
}
