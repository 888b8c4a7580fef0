"use client";

import { unwrap } from "@helio/api-client";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { RoofPlanesFields } from "@/components/RoofPlanesFields";
import { browserApi } from "@/lib/browser-api";
import { formFieldErrors, siteCreateFromForm } from "@/lib/forms";
import { useAction } from "@/lib/use-action";

export function SiteForm() {
  const router = useRouter();
  const { busy, problem, run, fields } = useAction();
  const errors = formFieldErrors(fields);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = siteCreateFromForm(new FormData(event.currentTarget));
    const site = await run(() => unwrap(browserApi().POST("/api/v1/sites", { body })));
    if (site) router.push(`/sites/${site.id}`);
  }

  return (
    <form onSubmit={submit} noValidate className="card">
      <ErrorNotice problem={problem} />
      <Field label="Name (optional)" name="label" placeholder="Home" errors={errors} />
      <fieldset>
        <legend>Address</legend>
        <Field label="Street and number" name="line1" apiName="address.line1" autoComplete="address-line1" errors={errors} />
        <div className="row">
          <Field label="City" name="city" apiName="address.city" autoComplete="address-level2" errors={errors} />
          <Field label="Postal code" name="postal_code" apiName="address.postal_code" autoComplete="postal-code" errors={errors} />
        </div>
        <div className="row">
          <Field label="Region (optional)" name="region" apiName="address.region" errors={errors} />
          <Field label="Country (two letters)" name="country" apiName="address.country" maxLength={2} errors={errors} />
        </div>
      </fieldset>
      <fieldset>
        <legend>Location</legend>
        <div className="row">
          <Field label="Latitude" name="latitude" inputMode="decimal" errors={errors} />
          <Field label="Longitude" name="longitude" inputMode="decimal" errors={errors} />
        </div>
        <Field label="Time zone" name="timezone" placeholder="Europe/London" hint="The IANA name, e.g. America/Los_Angeles." errors={errors} />
      </fieldset>
      <RoofPlanesFields initial={[]} errors={errors} />
      <fieldset>
        <legend>Electricity price</legend>
        <div className="row">
          <Field label="Price per kWh" name="price_per_kwh" inputMode="decimal" errors={errors} />
          <Field label="Currency" name="currency" defaultValue="USD" maxLength={3} errors={errors} />
          <Field label="Yearly price rise (%)" name="escalation_pct" inputMode="decimal" defaultValue="2.5" errors={errors} />
        </div>
      </fieldset>
      <button type="submit" disabled={busy}>
        Save the home
      </button>
    </form>
  );
}
