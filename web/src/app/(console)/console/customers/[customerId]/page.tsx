import { ApiError } from "@helio/api-client";

import { LoadFailed } from "@/components/LoadFailed";
import { may } from "@/lib/console-nav";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";

import { CustomerActions } from "./CustomerActions";

export const metadata = { title: "Customer" };

export default async function CustomerPage({ params }: { params: Promise<{ customerId: string }> }) {
  const check = await requireStaff();
  if (!check.ok) return null;
  const { customerId } = await params;
  const customer = await load((api) =>
    api.GET("/api/v1/staff/customers/{customer_id}", { params: { path: { customer_id: customerId } } }),
  );
  if (customer instanceof ApiError) return <LoadFailed title="Customer" error={customer} />;
  const address = customer.address ? Object.values(customer.address).join(", ") : "—";
  return (
    <main id="main">
      <h1>Customer {customer.full_name ?? ""}</h1>
      <div className="card">
        <p className="hint">Personal data is masked. Reveal a field only when the customer&apos;s request needs it; every reveal is recorded with your reason.</p>
        <dl className="facts">
          <dt>Name</dt>
          <dd data-testid="masked-full_name">{customer.full_name ?? "—"}</dd>
          <dt>Email</dt>
          <dd data-testid="masked-email">{customer.email ?? "—"}</dd>
          <dt>Phone</dt>
          <dd data-testid="masked-phone">{customer.phone ?? "—"}</dd>
          <dt>Address</dt>
          <dd>{address}</dd>
          <dt>Status</dt>
          <dd>{customer.status}</dd>
          <dt>Email confirmed</dt>
          <dd>{customer.email_verified ? "yes" : "no"}</dd>
          <dt>Customer id</dt>
          <dd className="reference">{customer.id}</dd>
        </dl>
      </div>
      <CustomerActions
        customerId={customer.id}
        canReveal={may(check.me.permissions, "customers:reveal")}
        canManage={may(check.me.permissions, "customers:manage")}
      />
    </main>
  );
}
