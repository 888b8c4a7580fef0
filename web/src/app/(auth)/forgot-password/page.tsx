"use client";

import { unwrap } from "@helio/api-client";
import { useState, type FormEvent } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { browserApi } from "@/lib/browser-api";
import { withProofOfWork } from "@/lib/pow-client";
import { useAction } from "@/lib/use-action";

export default function ForgotPasswordPage() {
  const { busy, problem, run, fields } = useAction();
  const [sent, setSent] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("email")).trim();
    const done = await run(() =>
      withProofOfWork("forgot", (headers) =>
        unwrap(browserApi().POST("/api/v1/auth/password/forgot", { body: { email }, headers })),
      ),
    );
    if (done) setSent(true);
  }

  return (
    <main id="main">
      <h1>Reset your password</h1>
      {sent ? (
        <Notice>
          <p>If an account uses that address, a reset link is on its way. It works once, for a short time.</p>
        </Notice>
      ) : (
        <form onSubmit={submit} noValidate className="card">
          <ErrorNotice problem={problem} />
          <Field label="Email" name="email" type="email" autoComplete="email" required errors={fields} />
          <button type="submit" disabled={busy}>
            Send the link
          </button>
        </form>
      )}
    </main>
  );
}
