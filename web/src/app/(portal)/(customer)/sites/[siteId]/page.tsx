import { ApiError } from "@helio/api-client";

import { DocumentsSection } from "@/components/DocumentsSection";
import { LoadFailed } from "@/components/LoadFailed";
import { loadDocuments } from "@/lib/documents-server";
import { toProblem } from "@/lib/problem";
import { load } from "@/lib/server-api";

import { SiteActions } from "./SiteActions";
import { UsageForm } from "./UsageForm";

export const metadata = { title: "Your home" };

export default async function SitePage({ params }: { params: Promise<{ siteId: string }> }) {
  const { siteId } = await params;
  const site = await load((api) => api.GET("/api/v1/sites/{site_id}", { params: { path: { site_id: siteId } } }));
  if (site instanceof ApiError) return <LoadFailed title="Your home" error={site} />;
  const documents = await loadDocuments();
  const address = site.address;
  return (
    <main id="main">
      <h1>{site.label ?? "Your home"}</h1>
      <div className="card">
        <dl className="facts">
          <dt>Address</dt>
          <dd>{address ? `${address.line1}, ${address.postal_code} ${address.city}, ${address.country}` : "—"}</dd>
          <dt>Location</dt>
          <dd>
            {site.latitude}, {site.longitude} ({site.timezone})
          </dd>
          <dt>Electricity price</dt>
          <dd>
            {site.tariff.price_per_kwh} {site.tariff.currency} per kWh, rising {site.tariff.escalation_pct}% a year
          </dd>
          <dt>Roof planes</dt>
          <dd>
            <ul>
              {site.roof_planes.map((plane, i) => (
                <li key={i}>
                  {plane.area_m2} m², tilted {plane.tilt_deg}°, facing {plane.azimuth_deg}°, {plane.shading_loss_pct}% shading
                </li>
              ))}
            </ul>
          </dd>
          <dt>Yearly use</dt>
          <dd>{site.usage ? `${Math.round(site.usage.annual_kwh)} kWh (${site.usage.source})` : "not added yet"}</dd>
        </dl>
      </div>
      <UsageForm siteId={site.id} monthly={site.usage?.monthly_kwh ?? []} />
      <DocumentsSection
        siteId={site.id}
        documents={documents instanceof ApiError ? [] : documents.filter((doc) => doc.site_id === site.id)}
        loadProblem={documents instanceof ApiError ? toProblem(documents) : null}
      />
      <SiteActions site={site} />
    </main>
  );
}
