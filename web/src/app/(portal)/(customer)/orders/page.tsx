import { ApiError } from "@helio/api-client";
import Link from "next/link";

import { LoadFailed } from "@/components/LoadFailed";
import { TableWrap } from "@/components/TableWrap";
import { formatWindow, paymentLabel, STATUS_LABELS } from "@/lib/orders";
import { load } from "@/lib/server-api";

export const metadata = { title: "Your orders" };

export default async function OrdersPage() {
  const page = await load((api) => api.GET("/api/v1/orders", { params: { query: { limit: 50 } } }));
  if (page instanceof ApiError) return <LoadFailed title="Your orders" error={page} />;
  return (
    <main id="main">
      <h1>Your orders</h1>
      {page.items.length === 0 ? (
        <p>
          No order yet. <Link href="/quotes">Open one of your quotes</Link> and order it.
        </p>
      ) : (
        <TableWrap label="Your orders">
          <table>
            <caption className="visually-hidden">Your orders</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Status</th>
                <th scope="col">Next appointment</th>
                <th scope="col">Deposit</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((o) => (
                <tr key={o.id} data-testid="order-row">
                  <td>
                    <Link href={`/orders/${o.id}`}>
                      {o.system_kwp} kWp for {o.net_price} {o.currency}
                    </Link>
                    <br />
                    <span className="hint">placed {o.created_at.slice(0, 10)}</span>
                  </td>
                  <td>{STATUS_LABELS[o.status]}</td>
                  <td>{o.install_window ? `Installation ${formatWindow(o.install_window)}` : o.survey_window ? `Survey ${formatWindow(o.survey_window)}` : "—"}</td>
                  <td>{paymentLabel(o.payment_status)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </main>
  );
}
