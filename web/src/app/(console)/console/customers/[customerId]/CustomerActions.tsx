"use client";

import { unwrap, type Schemas } from "@helio/api-client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { browserApi } from "@/lib/browser-api";
import { useAction } from "@/lib/use-action";

const FIELDS: Array<{ value: Schemas["RevealField"]; label: string }> = [
  { value: "full_name", label: "Name" },
  { value: "email", label: "Email" },
  { value: "phone", label: "Phone" },
  { value: "address", label: "Address" },
  { value: "notes", label: "Notes" },
];

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "object" ? Object.values(value as Record<string, unknown>).filter(Boolean).join(", ") : String(value);
}

export function CustomerActions({ customerId, canReveal, canManage }: { customerId: string; canReveal: boolean; canManage: boolean }) {
  const router = useRouter();
  const { busy, problem, run, fields } = useAction();
  const [revealed, setRevealed] = useState<Record<string, unknown> | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const path = { params: { path: { customer_id: customerId } } };
  const api = browserApi();

  async function reveal(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      fields: form.getAll("fields").map(String) as Schemas["RevealField"][],
      reason: String(form.get("reason")).trim(),
    };
    const result = await run(() => unwrap(api.POST("/api/v1/staff/customers/{customer_id}/reveal", { ...path, body })));
    if (result) setRevealed(result.fields as Record<string, unknown>);
  }

  async function account(kind: "unlock" | "force-password-reset" | "resend-verification", label: string) {
    setDone(null);
    const calls = {
      unlock: () => api.POST("/api/v1/staff/customers/{customer_id}/unlock", path),
      "force-password-reset": () => api.POST("/api/v1/staff/customers/{customer_id}/force-password-reset", path),
      "resend-verification": () => api.POST("/api/v1/staff/customers/{customer_id}/resend-verification", path),
    };
    const ok = await run(() => unwrap(calls[kind]()).then(() => true));
    if (ok) setDone(label);
  }

  async function correct(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setDone(null);
    const form = new FormData(event.currentTarget);
    const name = String(form.get("full_name") ?? "").trim();
    const phone = String(form.get("phone") ?? "").trim();
    const body = {
      reason: String(form.get("correction_reason") ?? "").trim(),
      ...(name ? { full_name: name } : {}),
      ...(phone ? { phone } : {}),
    };
    const ok = await run(() => unwrap(api.PATCH("/api/v1/staff/customers/{customer_id}", { ...path, body })).then(() => true));
    if (ok) {
      setDone("The contact details are corrected; the customer gets a mail naming the changed fields.");
      router.refresh();
    }
  }

  return (
    <>
      <ErrorNotice problem={problem} />
      {canReveal ? (
        <section className="card" aria-labelledby="reveal-title">
          <h2 id="reveal-title">Reveal</h2>
          <form onSubmit={reveal} noValidate>
            <fieldset>
              <legend>Fields to reveal</legend>
              {FIELDS.map((f) => (
                <div key={f.value}>
                  <input type="checkbox" id={`reveal-${f.value}`} name="fields" value={f.value} />{" "}
                  <label htmlFor={`reveal-${f.value}`} className="inline">
                    {f.label}
                  </label>
                </div>
              ))}
              {fields.fields ? <p className="field-error">{fields.fields}</p> : null}
            </fieldset>
            <Field label="Reason (recorded in the audit log)" name="reason" required minLength={10} maxLength={500} errors={fields} />
            <button type="submit" disabled={busy}>
              Reveal
            </button>
          </form>
          {revealed ? (
            <dl className="facts" aria-label="Revealed fields">
              {Object.entries(revealed).map(([name, value]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd data-testid={`revealed-${name}`}>{show(value)}</dd>
                </div>
              ))}
            </dl>
          ) : null}
        </section>
      ) : null}
      {canManage ? (
        <section className="card" aria-labelledby="account-title">
          <h2 id="account-title">Account</h2>
          {done ? <Notice>{done}</Notice> : null}
          <div className="actions">
            <button type="button" className="secondary" disabled={busy} onClick={() => account("unlock", "Sign-in is unlocked.")}>
              Unlock sign-in
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => account("force-password-reset", "A reset link is on its way; all sessions ended.")}>
              Force a password reset
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => account("resend-verification", "A new confirmation link is on its way.")}>
              Resend the confirmation mail
            </button>
          </div>
          <h3>Correct the contact details</h3>
          <form onSubmit={correct} noValidate aria-label="Correct the contact details">
            <p className="hint">Fill only what changes. The email is not here: only its holder changes it.</p>
            <div className="row">
              <Field label="Correct name" name="full_name" autoComplete="off" maxLength={200} errors={fields} />
              <Field label="Correct phone" name="phone" type="tel" autoComplete="off" maxLength={40} errors={fields} />
            </div>
            <Field label="Reason for the correction (recorded in the audit log)" name="correction_reason" required minLength={10} maxLength={500} errors={fields} apiName="reason" />
            <button type="submit" disabled={busy}>
              Save the correction
            </button>
          </form>
        </section>
      ) : null}
    </>
  );
}
