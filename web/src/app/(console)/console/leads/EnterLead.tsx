"use client";

import { unwrap } from "@helio/api-client";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { browserApi } from "@/lib/browser-api";
import { useAction } from "@/lib/use-action";

function optional(form: FormData, name: string): string | null {
  const value = String(form.get(name) ?? "").trim();
  return value || null;
}

/** A lead taken on the phone or at a fair: it is the salesperson's own from the start. */
export function EnterLead() {
  const router = useRouter();
  const { busy, problem, run, fields } = useAction();

  async function enter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      name: String(form.get("name") ?? "").trim(),
      postcode: String(form.get("postcode") ?? "").trim(),
      email: optional(form, "email"),
      phone: optional(form, "phone"),
      message: optional(form, "message"),
    };
    const lead = await run(() => unwrap(browserApi().POST("/api/v1/staff/leads", { body })));
    if (lead) router.push(`/console/leads/${lead.id}`);
  }

  return (
    <details className="card">
      <summary>Enter a lead</summary>
      <form onSubmit={enter} noValidate aria-label="Enter a lead">
        <ErrorNotice problem={problem} />
        <div className="row">
          <Field label="Name" name="name" required maxLength={200} autoComplete="off" errors={fields} />
          <Field label="Postcode" name="postcode" required maxLength={20} autoComplete="off" errors={fields} />
        </div>
        <div className="row">
          <Field label="Email" name="email" type="email" maxLength={254} autoComplete="off" errors={fields} />
          <Field label="Phone" name="phone" type="tel" maxLength={40} autoComplete="off" errors={fields} />
        </div>
        <Field label="What they asked for" name="message" maxLength={2000} autoComplete="off" errors={fields} />
        <button type="submit" disabled={busy}>
          Save the lead
        </button>
      </form>
    </details>
  );
}
