import { ApiError } from "@helio/api-client";
import Link from "next/link";

import { LoadFailed } from "@/components/LoadFailed";
import { may } from "@/lib/console-nav";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";

import { LeadActions } from "./LeadActions";

export const metadata = { title: "Lead" };

export default async function LeadPage({ params }: { params: Promise<{ leadId: string }> }) {
  const check = await requireStaff();
  if (!check.ok) return null;
  const { leadId } = await params;
  const lead = await load((api) => api.GET("/api/v1/staff/leads/{lead_id}", { params: { path: { lead_id: leadId } } }));
  if (lead instanceof ApiError) return <LoadFailed title="Lead" error={lead} />;
  const me = check.me.user_id;
  const mine = lead.assignee_id === me;
  const perms = check.me.permissions;
  return (
    <main id="main">
      <h1>Lead {lead.name ?? ""}</h1>
      <div className="card">
        {lead.masked ? <p className="hint">Contact details are masked: claim the lead to work it.</p> : null}
        <dl className="facts">
          <dt>Name</dt>
          <dd data-testid="lead-name">{lead.name ?? "—"}</dd>
          <dt>Email</dt>
          <dd>{lead.email ?? "—"}</dd>
          <dt>Phone</dt>
          <dd>{lead.phone ?? "—"}</dd>
          <dt>Postcode</dt>
          <dd>{lead.postcode ?? "—"}</dd>
          <dt>Message</dt>
          <dd className="pre">{lead.message ?? "—"}</dd>
          <dt>Status</dt>
          <dd data-testid="lead-status">{lead.status}</dd>
          <dt>Owner</dt>
          <dd data-testid="lead-owner">{lead.assignee_id === null ? "unassigned" : mine ? "you" : lead.assignee_id}</dd>
          <dt>Estimated value</dt>
          <dd>{lead.estimated_value ? `${lead.estimated_value} ${lead.currency ?? ""}` : "—"}</dd>
          <dt>Source</dt>
          <dd>{lead.source}</dd>
          <dt>Came in</dt>
          <dd>{lead.created_at.slice(0, 16).replace("T", " ")} UTC</dd>
          {lead.customer_id ? (
            <>
              <dt>Customer</dt>
              <dd>
                {may(perms, "customers:read") ? <Link href={`/console/customers/${lead.customer_id}`}>{lead.customer_id}</Link> : lead.customer_id}
              </dd>
            </>
          ) : null}
        </dl>
      </div>
      <LeadActions
        leadId={lead.id}
        me={me}
        status={lead.status}
        unassigned={lead.assignee_id === null}
        mine={mine}
        canWrite={may(perms, "leads:write")}
        canConvert={may(perms, "leads:convert")}
      />
    </main>
  );
}
