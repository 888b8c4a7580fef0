"use client";

import { unwrap } from "@helio/api-client";
import { useState, type FormEvent } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { browserApi } from "@/lib/browser-api";
import { withProofOfWork } from "@/lib/pow-client";
import { useAction } from "@/lib/use-action";

export function SignUpForm() {
  const { busy, problem, run, fields } = useAction();
  const [solving, setSolving] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      full_name: String(form.get("full_name")).trim(),
      email: String(form.get("email")).trim(),
      password: String(form.get("password")),
    };
    const done = await run(() =>
      withProofOfWork(
        "register",
        (headers) => unwrap(browserApi().POST("/api/v1/auth/register", { body, headers })),
        setSolving,
      ),
    );
    if (done) setSentTo(body.email);
  }

  if (sentTo) {
    return (
      <Notice>
        <p>
          Check your mail: we sent a link to <strong>{sentTo}</strong>. Open it on this device to confirm your
          address, then sign in.
        </p>
      </Notice>
    );
  }
  return (
    <form onSubmit={submit} noValidate className="card">
      <ErrorNotice problem={problem} />
      <Field label="Full name" name="full_name" autoComplete="name" required errors={fields} />
      <Field label="Email" name="email" type="email" autoComplete="email" required errors={fields} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        hint="At least 12 characters. A few unrelated words make a strong one."
        minLength={12}
        required
        errors={fields}
      />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Create account
        </button>
        {solving ? <span role="status">Checking you are not a robot…</span> : null}
      </div>
    </form>
  );
}
