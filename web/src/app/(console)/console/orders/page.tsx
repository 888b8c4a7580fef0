import { ApiError } from "@helio/api-client";
import Link from "next/link";
import { redirect } from "next/navigation";

import { ErrorNotice } from "@/components/ErrorNotice";
import { TableWrap } from "@/components/TableWrap";
import { formatWindow, paymentLabel, STATUS_LABELS, STEPS, type OrderStatus } from "@/lib/orders";
import { toProblem } from "@/lib/problem";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";

export const metadata = { title: "Orders" };

const STATUSES: OrderStatus[] = [...STEPS, "cancelled"];
const ID = /^[0-9a-f]{32}$/;

export default async function StaffOrdersPage({
  searchParams,
}: {
  searchParams: Promise<{ status?: string; order?: string; customer?: string; cursor?: string }>;
}) {
  const check = await requireStaff();
  if (!check.ok) return null;
  const params = await searchParams;
  const wanted = (params.order ?? "").trim().toLowerCase();
  if (ID.test(wanted)) redirect(`/console/orders/${wanted}`);
  const status = STATUSES.includes(params.status as OrderStatus) ? (params.status as OrderStatus) : undefined;
  const customer = (params.customer ?? "").trim().toLowerCase();
  const cursor = params.cursor && /^[A-Za-z0-9_-]{1,200}$/.test(params.cursor) ? params.cursor : undefined;
  const page = await load((api) => api.GET("/api/v1/staff/orders", { params: { query: { status, limit: 100, cursor } } }));
  const items = page instanceof ApiError ? [] : page.items.filter((o) => !customer || o.customer_id === customer);
  const next = page instanceof ApiError ? null : page.next_cursor;
  return (
    <main id="main">
      <h1>Orders</h1>
      <form method="get" action="/console/orders" className="card" role="search" aria-label="Find orders">
        <div className="row">
          <div>
            <label htmlFor="status">Status</label>
            <select id="status" name="status" defaultValue={status ?? ""}>
              <option value="">any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="customer">Customer id (among the 100 newest on this page)</label>
            <input id="customer" name="customer" defaultValue={customer} maxLength={32} pattern="[0-9a-f]{32}" />
          </div>
          <div>
            <label htmlFor="order">Order id (opens it)</label>
            <input id="order" name="order" maxLength={32} />
          </div>
        </div>
        <button type="submit">Search</button>
      </form>
      {page instanceof ApiError ? <ErrorNotice problem={toProblem(page)} /> : null}
      {wanted && !ID.test(wanted) ? <p className="alert info">An order id is 32 characters, 0–9 and a–f.</p> : null}
      {!(page instanceof ApiError) && items.length === 0 ? <p role="status">No order matches.</p> : null}
      {items.length > 0 ? (
        <TableWrap label="Orders (newest first)">
          <table>
            <caption className="visually-hidden">Orders (newest first)</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Customer id</th>
                <th scope="col">Status</th>
                <th scope="col">Survey</th>
                <th scope="col">Installation</th>
                <th scope="col">Deposit</th>
              </tr>
            </thead>
            <tbody>
              {items.map((o) => (
                <tr key={o.id} data-testid="staff-order-row">
                  <td>
                    <Link href={`/console/orders/${o.id}`}>
                      {o.system_kwp} kWp, {o.net_price} {o.currency}
                    </Link>
                    <br />
                    <span className="hint">placed {o.created_at.slice(0, 10)}</span>
                  </td>
                  <td className="reference">{o.customer_id}</td>
                  <td>{STATUS_LABELS[o.status]}</td>
                  <td>{formatWindow(o.survey_window)}</td>
                  <td>{formatWindow(o.install_window)}</td>
                  <td>{paymentLabel(o.payment_status)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      {next ? (
        <p>
          <Link href={`/console/orders?${new URLSearchParams({ ...(status ? { status } : {}), ...(customer ? { customer } : {}), cursor: next }).toString()}`}>
            Older orders
          </Link>
        </p>
      ) : null}
    </main>
  );
}
