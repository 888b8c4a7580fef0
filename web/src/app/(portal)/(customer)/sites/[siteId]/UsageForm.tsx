"use client";

import { unwrap } from "@helio/api-client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { browserApi } from "@/lib/browser-api";
import { formFieldErrors, MONTHS, monthlyUsageFromForm } from "@/lib/forms";
import { useAction } from "@/lib/use-action";

export function UsageForm({ siteId, monthly }: { siteId: string; monthly: number[] }) {
  const router = useRouter();
  const { busy, problem, run, fields } = useAction();
  const [saved, setSaved] = useState(false);
  const errors = formFieldErrors(fields);
  const path = { params: { path: { site_id: siteId } } };

  async function saveMonthly(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const body = { monthly_kwh: monthlyUsageFromForm(new FormData(event.currentTarget)) };
    const ok = await run(() => unwrap(browserApi().PUT("/api/v1/sites/{site_id}/usage", { ...path, body })));
    if (ok) {
      setSaved(true);
      router.refresh();
    }
  }

  async function upload(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const form = new FormData(event.currentTarget);
    const ok = await run(() =>
      unwrap(
        browserApi().PUT("/api/v1/sites/{site_id}/usage", {
          ...path,
          // The browser sets the multipart boundary itself.
          body: form as never,
          bodySerializer: (body: unknown) => body as FormData,
        }),
      ),
    );
    if (ok) {
      setSaved(true);
      router.refresh();
    }
  }

  return (
    <section className="card" aria-labelledby="usage-title">
      <h2 id="usage-title">Electricity use</h2>
      <ErrorNotice problem={problem} />
      {saved ? <Notice>Your use is saved.</Notice> : null}
      <form onSubmit={saveMonthly} noValidate>
        <p className="hint">Twelve monthly figures in kWh, from your bills.</p>
        <div className="months">
          {MONTHS.map((month, i) => (
            <Field key={month} label={`${month} (kWh)`} name={`month.${i}`} inputMode="decimal" defaultValue={monthly[i] ?? ""} errors={errors} />
          ))}
        </div>
        <button type="submit" disabled={busy}>
          Save monthly use
        </button>
      </form>
      <form onSubmit={upload} noValidate>
        <h3>Or upload your utility&apos;s Green Button file</h3>
        <div>
          <label htmlFor="greenbutton">Green Button XML file</label>
          <input id="greenbutton" name="file" type="file" accept=".xml,application/xml,text/xml" required />
        </div>
        <button type="submit" className="secondary" disabled={busy}>
          Upload
        </button>
      </form>
    </section>
  );
}
