"use client";

import { unwrap, type Schemas } from "@helio/api-client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { browserApi } from "@/lib/browser-api";
import { profileUpdateFromForm } from "@/lib/forms";
import { useAction } from "@/lib/use-action";

export function ProfileForm({ profile }: { profile: Schemas["ProfileRead"] }) {
  const router = useRouter();
  const { busy, problem, run, fields } = useAction();
  const [saved, setSaved] = useState(false);
  const address = (profile.address ?? {}) as Record<string, string | undefined>;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const body = profileUpdateFromForm(new FormData(event.currentTarget));
    const ok = await run(() => unwrap(browserApi().PATCH("/api/v1/me", { body })));
    if (ok) {
      setSaved(true);
      router.refresh();
    }
  }

  return (
    <form onSubmit={submit} noValidate className="card">
      <ErrorNotice problem={problem} />
      {saved ? <Notice>Saved.</Notice> : null}
      <Field label="Full name" name="full_name" defaultValue={profile.full_name ?? ""} autoComplete="name" errors={fields} />
      <Field label="Phone" name="phone" type="tel" defaultValue={profile.phone ?? ""} autoComplete="tel" errors={fields} />
      <fieldset>
        <legend>Address</legend>
        <Field label="Street and number" name="line1" apiName="address.line1" defaultValue={address.line1 ?? ""} autoComplete="address-line1" errors={fields} />
        <Field label="Address line 2 (optional)" name="line2" apiName="address.line2" defaultValue={address.line2 ?? ""} autoComplete="address-line2" errors={fields} />
        <div className="row">
          <Field label="City" name="city" apiName="address.city" defaultValue={address.city ?? ""} autoComplete="address-level2" errors={fields} />
          <Field label="Postal code" name="postal_code" apiName="address.postal_code" defaultValue={address.postal_code ?? ""} autoComplete="postal-code" errors={fields} />
        </div>
        <div className="row">
          <Field label="Region (optional)" name="region" apiName="address.region" defaultValue={address.region ?? ""} autoComplete="address-level1" errors={fields} />
          <Field label="Country (two letters)" name="country" apiName="address.country" defaultValue={address.country ?? ""} autoComplete="country" maxLength={2} errors={fields} />
        </div>
      </fieldset>
      <div>
        <input type="checkbox" id="marketing_consent" name="marketing_consent" defaultChecked={profile.marketing_consent} />{" "}
        <label htmlFor="marketing_consent" className="inline">
          Send me news and offers by mail
        </label>
      </div>
      <button type="submit" disabled={busy}>
        Save
      </button>
    </form>
  );
}
