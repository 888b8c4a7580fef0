import { describe, expect, it } from "vitest";

import { customerMayCancel, formatWindow, newIdempotencyKey, nextStep, paymentLabel, staffMoves, utcFromLocalInput, windowOf } from "../src/lib/orders";

const SUPPORT = {
  "orders:transition": "all",
  "order_step:schedule": "all",
  "order_step:progress": "all",
  "order_step:activate": "all",
  "order_step:cancel": "all",
} as const;
const ADMIN = { "orders:transition": "all", "order_step:cancel": "all" } as const;

describe("the workflow as the console offers it", () => {
  it("offers support the next step and a cancellation", () => {
    expect(staffMoves({ status: "placed", payment_status: "none" }, SUPPORT)).toEqual(["survey_scheduled", "cancelled"]);
    expect(staffMoves({ status: "inspected", payment_status: "deposit_paid" }, SUPPORT)).toEqual(["activated"]);
  });
  it("offers an admin only the cancellation, and nothing once installed", () => {
    expect(staffMoves({ status: "surveyed", payment_status: "none" }, ADMIN)).toEqual(["cancelled"]);
    expect(staffMoves({ status: "installed", payment_status: "deposit_paid" }, ADMIN)).toEqual([]);
  });
  it("offers nothing without the transition route's permission, or at the end", () => {
    expect(staffMoves({ status: "placed", payment_status: "none" }, { "order_step:schedule": "all" })).toEqual([]);
    expect(staffMoves({ status: "activated", payment_status: "deposit_paid" }, SUPPORT)).toEqual([]);
    expect(staffMoves({ status: "cancelled", payment_status: "none" }, SUPPORT)).toEqual([]);
  });
  it("knows the steps with a window and the customer's cancellation period", () => {
    expect(nextStep("permit_approved")).toBe("install_scheduled");
    expect(nextStep("activated")).toBeNull();
    expect(nextStep("cancelled")).toBeNull();
    expect(windowOf("survey_scheduled")).toBe("survey");
    expect(windowOf("install_scheduled")).toBe("install");
    expect(windowOf("surveyed")).toBeNull();
    expect(customerMayCancel("surveyed")).toBe(true);
    expect(customerMayCancel("permit_submitted")).toBe(false);
  });
});

describe("windows and keys", () => {
  it("shows a window in UTC", () => {
    expect(formatWindow({ starts_at: "2027-01-05T09:00:00Z", ends_at: "2027-01-05T12:00:00Z" })).toBe("2027-01-05 09:00–12:00 UTC");
    expect(formatWindow({ starts_at: "2027-01-05T22:00:00+00:00", ends_at: "2027-01-06T02:00:00+00:00" })).toBe("2027-01-05 22:00 – 2027-01-06 02:00 UTC");
    expect(formatWindow(null)).toBe("not set");
  });
  it("sends a datetime-local value as UTC, and anything else as typed for the API to name", () => {
    expect(utcFromLocalInput("2027-01-05T09:30")).toBe("2027-01-05T09:30:00Z");
    expect(utcFromLocalInput("")).toBe("");
    expect(utcFromLocalInput("tomorrow")).toBe("tomorrow");
  });
  it("makes a new Idempotency-Key per attempt, in the API's alphabet", () => {
    const a = newIdempotencyKey();
    const b = newIdempotencyKey();
    expect(a).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(a).not.toBe(b);
  });
  it("words payment states", () => {
    expect(paymentLabel("deposit_paid")).toBe("Deposit paid");
    expect(paymentLabel("something_new")).toBe("something new");
  });
});
