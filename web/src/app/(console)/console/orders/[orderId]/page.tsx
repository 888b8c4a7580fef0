import { ApiError } from "@helio/api-client";
import Link from "next/link";

import { LoadFailed } from "@/components/LoadFailed";
import { OrderProgress, OrderTimeline } from "@/components/OrderTimeline";
import { may } from "@/lib/console-nav";
import { formatWindow, paymentLabel, reschedulable, staffMoves, STATUS_LABELS } from "@/lib/orders";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";

import { StaffOrderActions } from "./StaffOrderActions";

export const metadata = { title: "Order" };

export default async function StaffOrderPage({ params }: { params: Promise<{ orderId: string }> }) {
  const check = await requireStaff();
  if (!check.ok) return null;
  const { orderId } = await params;
  const order = await load((api) => api.GET("/api/v1/staff/orders/{order_id}", { params: { path: { order_id: orderId } } }));
  if (order instanceof ApiError) return <LoadFailed title="Order" error={order} />;
  const perms = check.me.permissions;
  const canManage = may(perms, "orders:manage");
  return (
    <main id="main">
      <h1>
        Order {order.system_kwp} kWp, {order.net_price} {order.currency}
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
          <dd>{paymentLabel(order.payment_status)}</dd>
          <dt>On-site contact</dt>
          <dd data-testid="order-contact">{order.contact ? [order.contact.name, order.contact.phone].filter(Boolean).join(", ") : "the customer"}</dd>
          <dt>Customer</dt>
          <dd>
            {may(perms, "customers:read") ? (
              <Link href={`/console/customers/${order.customer_id}`}>{order.customer_id}</Link>
            ) : (
              <span className="reference">{order.customer_id}</span>
            )}
          </dd>
          <dt>Order id</dt>
          <dd className="reference">{order.id}</dd>
          <dt>Version</dt>
          <dd>{order.version}</dd>
        </dl>
      </div>
      <h2>Steps</h2>
      <OrderProgress status={order.status} />
      <StaffOrderActions
        orderId={order.id}
        version={order.version}
        moves={staffMoves(order, perms)}
        reschedule={canManage ? reschedulable(order.status) : null}
        canCorrectContact={canManage && order.status !== "cancelled" && order.status !== "activated"}
      />
      <h2>Timeline</h2>
      <OrderTimeline entries={order.timeline} showActors />
    </main>
  );
}
