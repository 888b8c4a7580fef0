"use client";

import { unwrap } from "@helio/api-client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { browserApi } from "@/lib/browser-api";
import { newIdempotencyKey } from "@/lib/orders";
import { useAction } from "@/lib/use-action";

/** Order the system of a quote; an optional on-site contact for the survey and installation. */
export function PlaceOrder({ quoteId }: { quoteId: string }) {
  const router = useRouter();
  const { busy, problem, run, fields } = useAction();
  const [open, setOpen] = useState(false);

  async function place(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("contact_name") ?? "").trim();
    const phone = String(form.get("contact_phone") ?? "").trim();
    const contact = name || phone ? { name, phone } : null;
    // One key per attempt: a retry of this request returns the same order, never a second one.
    const key = newIdempotencyKey();
    const order = await run(() =>
      unwrap(
        browserApi().POST("/api/v1/orders", {
          params: { header: { "Idempotency-Key": key } },
          body: { quote_id: quoteId, contact },
        }),
      ),
    );
    if (order) router.push(`/orders/${order.id}`);
  }

  return (
    <section className="card" aria-labelledby="order-title">
      <h2 id="order-title">Order this system</h2>
      <ErrorNotice problem={problem} />
      {open ? (
        <form onSubmit={place} noValidate aria-labelledby="order-title">
          <p className="hint">
            Ordering is free; a deposit is asked for before the installation is scheduled. Give a contact for the
            surveyor and installers if it is not you (optional).
          </p>
          <div className="row">
            <Field label="On-site contact name" name="contact_name" autoComplete="name" maxLength={200} errors={fields} apiName="contact.name" />
            <Field label="On-site contact phone" name="contact_phone" type="tel" autoComplete="tel" maxLength={40} errors={fields} apiName="contact.phone" />
          </div>
          <div className="actions">
            <button type="submit" disabled={busy}>
              Place the order
            </button>
            <button type="button" className="secondary" onClick={() => setOpen(false)} disabled={busy}>
              Not now
            </button>
          </div>
        </form>
      ) : (
        <button type="button" onClick={() => setOpen(true)}>
          Order this system
        </button>
      )}
    </section>
  );
}
