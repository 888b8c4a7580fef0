"use client";

import { useState, type FormEvent } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { useMailToken } from "@/components/TokenAction";
import { useAction } from "@/lib/use-action";

/** Choose a password with the token of a mail link (reset, invitation). */
export function NewPasswordForm({
  submitLabel,
  send,
  doneText,
}: {
  submitLabel: string;
  send: (token: string, password: string) => Promise<unknown>;
  doneText: string;
}) {
  const { token, ready } = useMailToken();
  const { busy, problem, run, fields } = useAction();
  const [done, setDone] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!token) return;
    const password = String(new FormData(event.currentTarget).get("password"));
    const ok = await run(async () => {
      await send(token, password);
      return true;
    });
    if (ok) setDone(true);
  }

  if (!ready) return <p>Checking your link…</p>;
  if (!token) {
    return <ErrorNotice problem={{ sentence: "This link is incomplete. Open the link from the mail again.", requestId: null, code: "no_token", fields: {} }} />;
  }
  if (done) {
    return (
      <Notice>
        <p>{doneText}</p>
        <p>
          <a href="/sign-in">Sign in</a>
        </p>
      </Notice>
    );
  }
  return (
    <form onSubmit={submit} noValidate className="card">
      <ErrorNotice problem={problem} />
      <Field
        label="New password"
        name="password"
        apiName={fields.new_password ? "new_password" : "password"}
        type="password"
        autoComplete="new-password"
        hint="At least 12 characters."
        minLength={12}
        required
        errors={fields}
      />
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
