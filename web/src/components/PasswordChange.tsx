"use client";

import { unwrap } from "@helio/api-client";
import { useState, type FormEvent } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { browserApi } from "@/lib/browser-api";
import { useAction } from "@/lib/use-action";

export function PasswordChange() {
  const { busy, problem, run, fields } = useAction();
  const [done, setDone] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = { current_password: String(form.get("current_password")), new_password: String(form.get("new_password")) };
    const ok = await run(() => unwrap(browserApi().POST("/api/v1/auth/password/change", { body })).then(() => true));
    if (ok) setDone(true);
  }

  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      {done ? <Notice>Your password is changed; your other sessions have ended.</Notice> : null}
      <form onSubmit={submit} noValidate>
        <ErrorNotice problem={problem} />
        <Field label="Current password" name="current_password" type="password" autoComplete="current-password" required errors={fields} />
        <Field label="New password" name="new_password" type="password" autoComplete="new-password" minLength={12} required errors={fields} />
        <button type="submit" disabled={busy}>
          Change the password
        </button>
      </form>
    </section>
  );
}
