"use client";

import { unwrap } from "@helio/api-client";
import type { FormEvent } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { browserApi } from "@/lib/browser-api";
import { useAction } from "@/lib/use-action";

/** Confirm identity again (TOTP, recovery code, or password without MFA); then `onDone`. */
export function StepUpForm({ onDone, usePassword }: { onDone: () => void; usePassword: boolean }) {
  const { busy, problem, run, fields } = useAction();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get("secret"));
    const body = usePassword ? { password: value } : { code: value.trim() };
    const ok = await run(() => unwrap(browserApi().POST("/api/v1/auth/mfa/step-up", { body })));
    if (ok) onDone();
  }

  return (
    <form onSubmit={submit} noValidate className="card" aria-label="Confirm it is you">
      <p>
        <strong>Confirm it is you.</strong> This action needs a fresh check.
      </p>
      <ErrorNotice problem={problem} />
      <Field
        label={usePassword ? "Your password" : "Code from your authenticator app (or a recovery code)"}
        name="secret"
        apiName={usePassword ? "password" : "code"}
        type={usePassword ? "password" : "text"}
        autoComplete={usePassword ? "current-password" : "one-time-code"}
        required
        errors={fields}
      />
      <button type="submit" disabled={busy}>
        Confirm
      </button>
    </form>
  );
}
