import { ApiError } from "@helio/api-client";
import Link from "next/link";

import { DocumentsSection } from "@/components/DocumentsSection";
import { LoadFailed } from "@/components/LoadFailed";
import { OrderProgress, OrderTimeline } from "@/components/OrderTimeline";
import { customerMayCancel, formatWindow, paymentLabel, STATUS_LABELS } from "@/lib/orders";
import { loadDocuments } from "@/lib/documents-server";
import { toProblem } from "@/lib/problem";
import { load } from "@/lib/server-api";

import { OrderActions } from "./OrderActions";

export const metadata = { title: "Your order" };

export default async function OrderPage({ params }: { params: Promise<{ orderId: string }> }) {
  const { orderId } = await params;
  const order = await load((api) => api.GET("/api/v1/orders/{order_id}", { params: { path: { order_id: orderId } } }));
  if (order instanceof ApiError) return <LoadFailed title="Your order" error={order} />;
  const documents = order.site_id ? await loadDocuments() : [];
  return (
    <main id="main">
      <h1>
        Your order: {order.system_kwp} kWp for {order.net_price} {order.currency}
      </h1>
      <div className="card">
        <dl className="facts">
          <dt>Status</dt>
          <dd data-testid="order-status">{STATUS_LABELS[order.status]}</dd>
          <dt>Site survey</dt>
          <dd data-testid="survey-window">{formatWindow(order.survey_window)}</dd>
          <dt>Installation</dt>
          <dd data-testid="install-window">{formatWindow(order.install_window)}</dd>
          <dt>Deposit</dt>
          <dd data-testid="payment-status">{paymentLabel(order.payment_status)}</dd>
          <dt>On-site contact</dt>
          <dd>{order.contact ? [order.contact.name, order.contact.phone].filter(Boolean).join(", ") : "you"}</dd>
          <dt>From quote</dt>
          <dd>
            <Link href={`/quotes/${order.quote_id}`}>the quote of {order.created_at.slice(0, 10)}</Link>
          </dd>
        </dl>
      </div>
      <h2>Steps</h2>
      <OrderProgress status={order.status} />
      <OrderActions
        orderId={order.id}
        paymentStatus={order.payment_status}
        canCancel={customerMayCancel(order.status)}
        active={order.status !== "cancelled" && order.status !== "activated"}
      />
      <h2>Timeline</h2>
      <OrderTimeline entries={order.timeline} />
      {order.site_id ? (
        <DocumentsSection
          siteId={order.site_id}
          orderId={order.id}
          documents={documents instanceof ApiError ? [] : documents.filter((doc) => doc.order_id === order.id)}
          loadProblem={documents instanceof ApiError ? toProblem(documents) : null}
        />
      ) : null}
    </main>
  );
}
