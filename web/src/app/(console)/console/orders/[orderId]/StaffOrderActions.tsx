"use client";

import { unwrap } from "@helio/api-client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { browserApi } from "@/lib/browser-api";
import { STATUS_LABELS, utcFromLocalInput, windowOf, type OrderStatus } from "@/lib/orders";
import { useAction } from "@/lib/use-action";

function WindowFields({ prefix, errors, apiPrefix }: { prefix: string; errors: Record<string, string>; apiPrefix: string }) {
  return (
    <fieldset>
      <legend>Appointment window (UTC)</legend>
      <div className="row">
        <Field label="Starts (UTC)" name={`${prefix}_starts`} type="datetime-local" required errors={errors} apiName={`${apiPrefix}.starts_at`} />
        <Field label="Ends (UTC)" name={`${prefix}_ends`} type="datetime-local" required errors={errors} apiName={`${apiPrefix}.ends_at`} />
      </div>
    </fieldset>
  );
}

function windowFrom(form: FormData, prefix: string): { starts_at: string; ends_at: string } {
  return {
    starts_at: utcFromLocalInput(String(form.get(`${prefix}_starts`) ?? "")),
    ends_at: utcFromLocalInput(String(form.get(`${prefix}_ends`) ?? "")),
  };
}

/**
 * What this staff member may do to the order now; the list of moves comes from the
 * workflow and their permissions (the API checks both again).
 */
export function StaffOrderActions({
  orderId,
  version,
  moves,
  reschedule,
  canCorrectContact,
}: {
  orderId: string;
  version: number;
  moves: OrderStatus[];
  reschedule: "survey" | "install" | null;
  canCorrectContact: boolean;
}) {
  const router = useRouter();
  const { busy, problem, run, fields } = useAction();
  const [done, setDone] = useState<string | null>(null);
  const [move, setMove] = useState<OrderStatus | null>(null);
  const path = { params: { path: { order_id: orderId } } };
  const api = browserApi();

  async function transition(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!move) return;
    const form = new FormData(event.currentTarget);
    const note = String(form.get("note") ?? "").trim();
    const body = {
      to: move,
      version,
      note: note || null,
      window: windowOf(move) ? windowFrom(form, "step") : null,
    };
    const ok = await run(() => unwrap(api.POST("/api/v1/staff/orders/{order_id}/transition", { ...path, body })));
    if (ok) {
      setDone(`Recorded: ${STATUS_LABELS[move]}.`);
      setMove(null);
      router.refresh();
    }
  }

  async function moveWindow(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!reschedule) return;
    const form = new FormData(event.currentTarget);
    const body = {
      version,
      reason: String(form.get("reason") ?? "").trim(),
      [`${reschedule}_window`]: windowFrom(form, "move"),
    };
    const ok = await run(() => unwrap(api.PATCH("/api/v1/staff/orders/{order_id}", { ...path, body })));
    if (ok) {
      setDone("The appointment is moved; the customer gets a mail.");
      router.refresh();
    }
  }

  async function correctContact(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      version,
      reason: String(form.get("contact_reason") ?? "").trim(),
      contact: { name: String(form.get("contact_name") ?? "").trim(), phone: String(form.get("contact_phone") ?? "").trim() },
    };
    const ok = await run(() => unwrap(api.PATCH("/api/v1/staff/orders/{order_id}", { ...path, body })));
    if (ok) {
      setDone("The on-site contact is corrected.");
      router.refresh();
    }
  }

  if (moves.length === 0 && !reschedule && !canCorrectContact) return null;
  return (
    <section className="card" aria-labelledby="staff-order-actions">
      <h2 id="staff-order-actions">Change the order</h2>
      <ErrorNotice problem={problem} />
      {done ? <Notice>{done}</Notice> : null}
      {moves.length > 0 ? (
        <div className="actions">
          {moves.map((m) => (
            <button key={m} type="button" className={m === "cancelled" ? "danger" : undefined} onClick={() => setMove(m)} disabled={busy}>
              {m === "cancelled" ? "Cancel the order" : `Record: ${STATUS_LABELS[m]}`}
            </button>
          ))}
        </div>
      ) : null}
      {move ? (
        <form onSubmit={transition} noValidate aria-label={`Record ${STATUS_LABELS[move]}`}>
          <h3>{STATUS_LABELS[move]}</h3>
          {windowOf(move) ? <WindowFields prefix="step" errors={fields} apiPrefix="window" /> : null}
          <Field label="Note (seen by the customer)" name="note" maxLength={1000} errors={fields} />
          <div className="actions">
            <button type="submit" disabled={busy}>
              Confirm
            </button>
            <button type="button" className="secondary" onClick={() => setMove(null)}>
              Back
            </button>
          </div>
        </form>
      ) : null}
      {reschedule ? (
        <form onSubmit={moveWindow} noValidate aria-label="Reschedule">
          <h3>Move the {reschedule === "survey" ? "survey" : "installation"} appointment</h3>
          <WindowFields prefix="move" errors={fields} apiPrefix={`${reschedule}_window`} />
          <Field label="Reason for the change (recorded in the audit log)" name="reason" required minLength={10} maxLength={500} errors={fields} />
          <button type="submit" disabled={busy}>
            Reschedule
          </button>
        </form>
      ) : null}
      {canCorrectContact ? (
        <details>
          <summary>Correct the on-site contact</summary>
          <form onSubmit={correctContact} noValidate aria-label="Correct the on-site contact">
            <div className="row">
              <Field label="Contact name" name="contact_name" required maxLength={200} errors={fields} apiName="contact.name" />
              <Field label="Contact phone" name="contact_phone" type="tel" required maxLength={40} errors={fields} apiName="contact.phone" />
            </div>
            <Field label="Reason for the correction" name="contact_reason" required minLength={10} maxLength={500} errors={fields} apiName="reason" />
            <button type="submit" disabled={busy}>
              Save the contact
            </button>
          </form>
        </details>
      ) : null}
    </section>
  );
}
