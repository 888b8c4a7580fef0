"use client";

import { unwrap, type Schemas } from "@helio/api-client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { browserApi } from "@/lib/browser-api";
import { useAction } from "@/lib/use-action";

type LeadStatus = Schemas["LeadStatus"];
const SETTABLE: LeadStatus[] = ["new", "contacted", "qualified", "lost"];

/** Claim, work and convert a lead; only what the matrix and the lead's owner allow is offered. */
export function LeadActions({
  leadId,
  me,
  status,
  unassigned,
  mine,
  canWrite,
  canConvert,
}: {
  leadId: string;
  me: string;
  status: LeadStatus;
  unassigned: boolean;
  mine: boolean;
  canWrite: boolean;
  canConvert: boolean;
}) {
  const router = useRouter();
  const { busy, problem, run, fields } = useAction();
  const [done, setDone] = useState<string | null>(null);
  const path = { params: { path: { lead_id: leadId } } };
  const api = browserApi();

  async function patch(body: Schemas["LeadUpdate"], message: string) {
    setDone(null);
    const ok = await run(() => unwrap(api.PATCH("/api/v1/staff/leads/{lead_id}", { ...path, body })));
    if (ok) {
      setDone(message);
      router.refresh();
    }
  }

  async function update(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: Schemas["LeadUpdate"] = {};
    const next = String(form.get("status") ?? "");
    if (next && next !== status) body.status = next as LeadStatus;
    const value = String(form.get("estimated_value") ?? "").trim();
    const currency = String(form.get("currency") ?? "").trim().toUpperCase();
    if (value || currency) {
      body.estimated_value = value;
      body.currency = currency;
    }
    const assignee = String(form.get("assignee_id") ?? "").trim().toLowerCase();
    if (assignee) body.assignee_id = assignee;
    await patch(body, "The lead is updated.");
  }

  async function convert() {
    setDone(null);
    const ok = await run(() => unwrap(api.POST("/api/v1/staff/leads/{lead_id}/convert", path)));
    if (ok) {
      setDone(ok.customer_id ? "The lead is a customer now; an invitation is on its way if the account is new." : "Converted.");
      router.refresh();
    }
  }

  if (!canWrite && !canConvert) return null;
  if (status === "converted") return null;
  return (
    <section className="card" aria-labelledby="lead-actions">
      <h2 id="lead-actions">Work this lead</h2>
      <ErrorNotice problem={problem} />
      {done ? <Notice>{done}</Notice> : null}
      {canWrite && unassigned ? (
        <button type="button" onClick={() => patch({ assignee_id: me }, "The lead is yours now.")} disabled={busy}>
          Claim this lead
        </button>
      ) : null}
      {canWrite && mine ? (
        <form onSubmit={update} noValidate aria-label="Update the lead">
          <div>
            <label htmlFor="lead-status-select">Status</label>
            <select id="lead-status-select" name="status" defaultValue={status}>
              {SETTABLE.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div className="row">
            <Field label="Estimated value" name="estimated_value" inputMode="decimal" errors={fields} />
            <Field label="Currency (three letters)" name="currency" maxLength={3} errors={fields} />
          </div>
          <Field label="Hand over to (salesperson id, optional)" name="assignee_id" maxLength={32} errors={fields} />
          <button type="submit" disabled={busy}>
            Save
          </button>
        </form>
      ) : null}
      {canConvert && mine ? (
        <p>
          <button type="button" className="secondary" onClick={convert} disabled={busy}>
            Convert to a customer (mails an invitation)
          </button>
        </p>
      ) : null}
    </section>
  );
}
