import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";

import { leadingZeroBits, needsPow, solvePow } from "../src/pow";

describe("solvePow", () => {
  it("finds the same first counter as the server's reference solver", () => {
    // Vectors from helio.security.pow.solve (the backend's own solver).
    expect(solvePow("v1.login.12.1700000000.AAAAAAAAAAAAAAAAAAAAAA.mac", 12)).toBe(
      "v1.login.12.1700000000.AAAAAAAAAAAAAAAAAAAAAA.mac:13898",
    );
    expect(solvePow("v1.register.16.1700000000.BBBBBBBBBBBBBBBBBBBBBB.mac", 16)).toBe(
      "v1.register.16.1700000000.BBBBBBBBBBBBBBBBBBBBBB.mac:10151",
    );
  });

  it("returns a header whose SHA-256 has the asked leading zero bits", () => {
    const header = solvePow("token-for-test", 10);
    const digest = createHash("sha256").update(header).digest();
    expect(leadingZeroBits(digest)).toBeGreaterThanOrEqual(10);
    expect(header.startsWith("token-for-test:")).toBe(true);
  });

  it("refuses impossible difficulty and gives up after its budget", () => {
    expect(() => solvePow("x", 0)).toThrow(RangeError);
    expect(() => solvePow("x", 33)).toThrow(RangeError);
    expect(() => solvePow("x", 30, 5)).toThrow(/budget/);
  });
});

describe("leadingZeroBits", () => {
  it("counts across byte boundaries", () => {
    expect(leadingZeroBits(new Uint8Array([0, 0, 0x10, 0xff]))).toBe(19);
    expect(leadingZeroBits(new Uint8Array([0x80]))).toBe(0);
    expect(leadingZeroBits(new Uint8Array([0, 0]))).toBe(16);
  });
});

describe("needsPow", () => {
  it("knows the codes that ask for a fresh solution", () => {
    expect(needsPow("pow_required")).toBe(true);
    expect(needsPow("pow_expired")).toBe(true);
    expect(needsPow("pow_replayed")).toBe(true);
    expect(needsPow("pow_invalid")).toBe(false);
    expect(needsPow("rate_limited")).toBe(false);
  });
});
