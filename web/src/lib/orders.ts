/**
 * The order workflow as the web app shows it (the API's `orders/workflow.py` decides; this
 * only words it and hides the buttons the workflow or the permission matrix would refuse).
 */
import type { Schemas } from "@helio/api-client";

export type OrderStatus = Schemas["Status"];
type Perm = Schemas["Perm"];

export const STEPS: OrderStatus[] = [
  "placed",
  "survey_scheduled",
  "surveyed",
  "permit_submitted",
  "permit_approved",
  "install_scheduled",
  "installed",
  "inspected",
  "activated",
];

export const STATUS_LABELS: Record<OrderStatus, string> = {
  placed: "Order placed",
  survey_scheduled: "Site survey scheduled",
  surveyed: "Site survey done",
  permit_submitted: "Permit application submitted",
  permit_approved: "Permit approved",
  install_scheduled: "Installation scheduled",
  installed: "Panels installed",
  inspected: "Installation inspected",
  activated: "System switched on",
  cancelled: "Order cancelled",
};

const STEP_PERMISSION: Record<Exclude<OrderStatus, "placed">, Perm> = {
  survey_scheduled: "order_step:schedule",
  surveyed: "order_step:progress",
  permit_submitted: "order_step:progress",
  permit_approved: "order_step:progress",
  install_scheduled: "order_step:schedule",
  installed: "order_step:progress",
  inspected: "order_step:progress",
  activated: "order_step:activate",
  cancelled: "order_step:cancel",
};

const CANCELLABLE_BY_STAFF: ReadonlySet<OrderStatus> = new Set([
  "placed",
  "survey_scheduled",
  "surveyed",
  "permit_submitted",
  "permit_approved",
  "install_scheduled",
]);
const CANCELLABLE_BY_CUSTOMER: ReadonlySet<OrderStatus> = new Set(["placed", "survey_scheduled", "surveyed"]);

/** The one step after `status`, or null at the end (or once cancelled). */
export function nextStep(status: OrderStatus): OrderStatus | null {
  const i = STEPS.indexOf(status);
  return i >= 0 && i < STEPS.length - 1 ? (STEPS[i + 1] ?? null) : null;
}

/** Whether a step sets an appointment window, and which one. */
export function windowOf(step: OrderStatus): "survey" | "install" | null {
  if (step === "survey_scheduled") return "survey";
  if (step === "install_scheduled") return "install";
  return null;
}

export function customerMayCancel(status: OrderStatus): boolean {
  return CANCELLABLE_BY_CUSTOMER.has(status);
}

type Permissions = Partial<Record<Perm, string>>;

/** The steps a staff member may record on an order now: the next one and a cancellation. */
export function staffMoves(order: { status: OrderStatus; payment_status: string }, permissions: Permissions): OrderStatus[] {
  if (!("orders:transition" in permissions)) return [];
  const moves: OrderStatus[] = [];
  const next = nextStep(order.status);
  if (next && STEP_PERMISSION[next as Exclude<OrderStatus, "placed">] in permissions) moves.push(next);
  if (CANCELLABLE_BY_STAFF.has(order.status) && "order_step:cancel" in permissions) moves.push("cancelled");
  return moves;
}

/** The window support may move now: the one of the current scheduling step. */
export function reschedulable(status: OrderStatus): "survey" | "install" | null {
  return windowOf(status);
}

/** "2027-01-05 09:00–12:00 UTC" (windows are stored and answered in UTC). */
export function formatWindow(window: { starts_at: string; ends_at: string } | null | undefined): string {
  if (!window) return "not set";
  const start = new Date(window.starts_at);
  const end = new Date(window.ends_at);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return "not set";
  const day = start.toISOString().slice(0, 10);
  const hm = (d: Date) => d.toISOString().slice(11, 16);
  const endDay = end.toISOString().slice(0, 10);
  return endDay === day ? `${day} ${hm(start)}–${hm(end)} UTC` : `${day} ${hm(start)} – ${endDay} ${hm(end)} UTC`;
}

/**
 * A `datetime-local` value (no zone; read as UTC here, as labelled in the form) → the
 * API's ISO form with an explicit offset. An empty or malformed value stays as typed so the
 * API names the field.
 */
export function utcFromLocalInput(value: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? `${value}:00Z` : value;
}

/** A fresh Idempotency-Key for one attempt at placing an order (the API wants 8–64 of [A-Za-z0-9_-]). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

export const PAYMENT_LABELS: Record<string, string> = {
  none: "No deposit asked for yet",
  deposit_requested: "Deposit requested, waiting for the payment",
  deposit_paid: "Deposit paid",
  deposit_failed: "Deposit payment failed; you can try again",
  deposit_refunded: "Deposit refunded",
  refund_due: "Deposit to be refunded",
};

export function paymentLabel(status: string): string {
  return PAYMENT_LABELS[status] ?? status.replaceAll("_", " ");
}
