"use client";

import { unwrap, type Schemas } from "@helio/api-client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { StepUpForm } from "@/components/StepUpForm";
import { browserApi } from "@/lib/browser-api";
import { useGuardedAction } from "@/lib/use-guarded";

export function RequestGrant() {
  const router = useRouter();
  const { busy, problem, guarded, fields } = useGuardedAction();
  const [sent, setSent] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      customer_id: String(form.get("customer_id")).trim(),
      reason: String(form.get("reason")).trim(),
      minutes: Number(form.get("minutes")),
    };
    const ok = await guarded(() => unwrap(browserApi().POST("/api/v1/staff/grants", { body })));
    if (ok) {
      setSent(true);
      router.refresh();
    }
  }

  return (
    <form onSubmit={submit} noValidate className="card" aria-label="Ask for access">
      <h2>Ask for access</h2>
      <ErrorNotice problem={problem} />
      {sent ? <Notice>Your request waits for an admin.</Notice> : null}
      <Field label="Customer id" name="customer_id" required errors={fields} />
      <Field label="Reason" name="reason" required minLength={10} errors={fields} />
      <Field label="Minutes" name="minutes" type="number" defaultValue={30} min={5} max={480} errors={fields} />
      <button type="submit" disabled={busy}>
        Ask for access
      </button>
    </form>
  );
}

export function GrantActions({ grant, canDecide, canRevoke }: { grant: Schemas["GrantRead"]; canDecide: boolean; canRevoke: boolean }) {
  const router = useRouter();
  const { busy, problem, guarded, needsStepUp, stepUpDone } = useGuardedAction();
  const api = browserApi();
  const path = { params: { path: { grant_id: grant.id } } };

  async function act(kind: "approve" | "deny" | "revoke") {
    const calls = {
      approve: () => api.POST("/api/v1/admin/grants/{grant_id}/approve", path),
      deny: () => api.POST("/api/v1/admin/grants/{grant_id}/deny", path),
      revoke: () => api.POST("/api/v1/admin/grants/{grant_id}/revoke", path),
    };
    const ok = await guarded(() => unwrap(calls[kind]()));
    if (ok) router.refresh();
  }

  return (
    <div>
      <ErrorNotice problem={problem} />
      {needsStepUp ? <StepUpForm onDone={stepUpDone} usePassword={false} /> : null}
      <div className="actions">
        {canDecide && grant.state === "pending" ? (
          <>
            <button type="button" disabled={busy} onClick={() => act("approve")}>
              Approve
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => act("deny")}>
              Deny
            </button>
          </>
        ) : null}
        {canRevoke && grant.state === "active" ? (
          <button type="button" className="secondary" disabled={busy} onClick={() => act("revoke")}>
            Revoke
          </button>
        ) : null}
      </div>
    </div>
  );
}
