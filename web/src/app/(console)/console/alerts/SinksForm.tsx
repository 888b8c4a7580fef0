"use client";

import { unwrap, type Schemas } from "@helio/api-client";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { StepUpForm } from "@/components/StepUpForm";
import { browserApi } from "@/lib/browser-api";
import { useGuardedAction } from "@/lib/use-guarded";

export function SinksForm({ sinks }: { sinks: Schemas["SinkRead"][] }) {
  const router = useRouter();
  const { busy, problem, guarded, fields, needsStepUp, stepUpDone } = useGuardedAction();

  async function save(next: Schemas["SinkUpdate"][]) {
    const ok = await guarded(() => unwrap(browserApi().PUT("/api/v1/admin/alerts/sinks", { body: { sinks: next } })));
    if (ok) router.refresh();
  }

  const kept = (except?: string, toggle?: string): Schemas["SinkUpdate"][] =>
    sinks.filter((s) => s.id !== except).map((s) => ({ id: s.id, enabled: s.id === toggle ? !s.enabled : s.enabled }));

  function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const kind = String(form.get("kind")) === "webhook" ? "webhook" : "mail";
    void save([...kept(), { kind, target: String(form.get("target")).trim(), enabled: true }]);
  }

  return (
    <>
      <ErrorNotice problem={problem} />
      {needsStepUp ? <StepUpForm onDone={stepUpDone} usePassword={false} /> : null}
      <ul>
        {sinks.map((s) => (
          <li key={s.id}>
            {s.kind}: {s.target} {s.enabled ? <span className="badge">on</span> : <span className="badge">off</span>}{" "}
            <button type="button" className="secondary" disabled={busy} onClick={() => save(kept(undefined, s.id))}>
              {s.enabled ? "Turn off" : "Turn on"}
            </button>{" "}
            <button type="button" className="secondary" disabled={busy} onClick={() => save(kept(s.id))}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={add} noValidate className="card" aria-label="Add a destination">
        <div>
          <label htmlFor="kind">Kind</label>
          <select id="kind" name="kind" defaultValue="mail">
            <option value="mail">Mail</option>
            <option value="webhook">Webhook (https)</option>
          </select>
        </div>
        <Field label="Address or URL" name="target" required errors={fields} />
        <button type="submit" disabled={busy}>
          Add
        </button>
      </form>
    </>
  );
}
