"use client";

import { unwrap, type Schemas } from "@helio/api-client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { browserApi } from "@/lib/browser-api";
import { useAction } from "@/lib/use-action";

type Payment = Schemas["PaymentRequestRead"];

/** The deposit request and the customer's own cancellation (while the workflow allows it). */
export function OrderActions({
  orderId,
  paymentStatus,
  canCancel,
  active,
}: {
  orderId: string;
  paymentStatus: string;
  canCancel: boolean;
  active: boolean;
}) {
  const router = useRouter();
  const { busy, problem, run, fields } = useAction();
  const [payment, setPayment] = useState<Payment | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const path = { params: { path: { order_id: orderId } } };

  async function deposit() {
    const made = await run(() => unwrap(browserApi().POST("/api/v1/orders/{order_id}/deposit", path)));
    if (made) {
      setPayment(made);
      router.refresh();
    }
  }

  async function cancel(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const note = String(new FormData(event.currentTarget).get("note") ?? "").trim();
    const done = await run(() =>
      unwrap(browserApi().POST("/api/v1/orders/{order_id}/cancel", { ...path, body: { note: note || null } })),
    );
    if (done) {
      setCancelling(false);
      router.refresh();
    }
  }

  if (!active) return null;
  const depositOpen = paymentStatus === "none" || paymentStatus === "deposit_requested" || paymentStatus === "deposit_failed";
  return (
    <section className="card" aria-labelledby="order-actions-title">
      <h2 id="order-actions-title">What you can do</h2>
      <ErrorNotice problem={problem} />
      {depositOpen ? (
        <div>
          <p>The installation is scheduled once the deposit is paid.</p>
          <button type="button" onClick={deposit} disabled={busy}>
            {paymentStatus === "none" ? "Pay the deposit" : "Show the deposit payment"}
          </button>
        </div>
      ) : null}
      {payment ? (
        <dl className="facts" aria-label="Deposit payment" data-testid="deposit">
          <dt>Amount</dt>
          <dd>
            {payment.amount} {payment.currency}
          </dd>
          <dt>Payment</dt>
          <dd data-testid="deposit-status">{payment.status}</dd>
          <dt>Pay at</dt>
          <dd>
            {payment.checkout_url && /^https:\/\//.test(payment.checkout_url) ? (
              <a href={payment.checkout_url} rel="noopener noreferrer">
                the payment page
              </a>
            ) : (
              <span>no payment page here (payments are simulated in this environment)</span>
            )}
          </dd>
        </dl>
      ) : null}
      {canCancel ? (
        cancelling ? (
          <form onSubmit={cancel} noValidate aria-label="Cancel the order">
            <Field label="Why are you cancelling? (optional)" name="note" maxLength={1000} errors={fields} />
            <div className="actions">
              <button type="submit" className="danger" disabled={busy}>
                Yes, cancel the order
              </button>
              <button type="button" className="secondary" onClick={() => setCancelling(false)}>
                Keep the order
              </button>
            </div>
          </form>
        ) : (
          <p>
            <button type="button" className="secondary" onClick={() => setCancelling(true)}>
              Cancel the order
            </button>
          </p>
        )
      ) : null}
    </section>
  );
}
