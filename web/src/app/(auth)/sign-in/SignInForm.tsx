"use client";

import { ApiError, unwrap, type Schemas } from "@helio/api-client";
import { startAuthentication } from "@simplewebauthn/browser";
import { useState, type FormEvent } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import type { Audience } from "@/lib/audience";
import { browserApi } from "@/lib/browser-api";
import { withProofOfWork } from "@/lib/pow-client";
import { useAction } from "@/lib/use-action";

type Pending = { token: string; methods: string[] };

function landing(result: Schemas["LoginRead"], next: string, audience: Audience): string {
  if (result.mfa_enrolment === "required") return "/console/security?enrol=1";
  if (result.mfa_enrolment === "offered" && audience === "portal") return "/account/security?welcome=1";
  return next;
}

export function SignInForm({ next, audience }: { next: string; audience: Audience }) {
  const { busy, problem, run, fields } = useAction();
  const [solving, setSolving] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  const [useRecovery, setUseRecovery] = useState(false);

  function finish(result: Schemas["LoginRead"]) {
    // A full load: the new session's cookies and the server-rendered pages go together.
    window.location.replace(new URL(landing(result, next, audience), window.location.origin));
  }

  async function password(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = { email: String(form.get("email")), password: String(form.get("password")) };
    const result = await run(() =>
      withProofOfWork(
        "login",
        (headers) => unwrap(browserApi().POST("/api/v1/auth/login", { body, headers })),
        setSolving,
      ),
    );
    if (!result) return;
    if (result.mfa_required && result.mfa_token) {
      setPending({ token: result.mfa_token, methods: result.mfa_methods ?? ["totp"] });
    } else {
      finish(result);
    }
  }

  async function code(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!pending) return;
    const value = String(new FormData(event.currentTarget).get("code")).trim();
    const result = await run(() =>
      unwrap(browserApi().POST("/api/v1/auth/login/mfa", { body: { mfa_token: pending.token, code: value } })),
    );
    if (result) finish(result);
  }

  async function passkey() {
    if (!pending) return;
    const result = await run(async () => {
      const api = browserApi();
      const options = await unwrap(
        api.POST("/api/v1/auth/webauthn/login/options", { body: { mfa_token: pending.token } }),
      );
      // The API sends the standard JSON form of PublicKeyCredentialRequestOptions.
      const credential = await startAuthentication({ optionsJSON: options as never });
      return unwrap(
        api.POST("/api/v1/auth/webauthn/login/verify", {
          body: { mfa_token: pending.token, credential: credential as unknown as Record<string, unknown> },
        }),
      );
    });
    if (result && "mfa_required" in result) finish(result);
  }

  /** Sign in with a discoverable passkey alone: the browser offers the passkeys it holds for this site. */
  async function passkeyOnly() {
    const result = await run(async () => {
      const api = browserApi();
      const options = await withProofOfWork(
        "login",
        (headers) => unwrap(api.POST("/api/v1/auth/webauthn/passkey/options", { headers })),
        setSolving,
      );
      let credential: unknown;
      try {
        // The API sends the standard JSON form of PublicKeyCredentialRequestOptions.
        credential = await startAuthentication({ optionsJSON: options as never });
      } catch {
        throw new ApiError({
          status: 0,
          code: "passkey_not_used",
          message: "No passkey was used: the prompt was closed, timed out, or this device holds no passkey for Helio.",
          requestId: null,
        });
      }
      return withProofOfWork(
        "login",
        (headers) =>
          unwrap(
            api.POST("/api/v1/auth/webauthn/passkey/verify", {
              body: { credential: credential as Record<string, unknown> },
              headers,
            }),
          ),
        setSolving,
      );
    });
    if (result) finish(result);
  }

  if (pending) {
    const hasPasskey = pending.methods.includes("webauthn");
    const hasTotp = pending.methods.includes("totp");
    return (
      <section className="card" aria-labelledby="second-step">
        <h2 id="second-step">Second step</h2>
        <ErrorNotice problem={problem} />
        {hasPasskey ? (
          <p>
            <button type="button" onClick={passkey} disabled={busy}>
              Use your passkey
            </button>
          </p>
        ) : null}
        <form onSubmit={code} noValidate>
          <Field
            label={useRecovery || !hasTotp ? "Recovery code" : "Code from your authenticator app"}
            name="code"
            autoComplete="one-time-code"
            inputMode={useRecovery ? "text" : "numeric"}
            required
            errors={fields}
          />
          <div className="actions">
            <button type="submit" disabled={busy}>
              Verify
            </button>
            {hasTotp ? (
              <button type="button" className="secondary" onClick={() => setUseRecovery(!useRecovery)}>
                {useRecovery ? "Use the authenticator app" : "Use a recovery code"}
              </button>
            ) : null}
          </div>
        </form>
      </section>
    );
  }

  return (
    <form onSubmit={password} noValidate className="card">
      <ErrorNotice problem={problem} />
      <Field label="Email" name="email" type="email" autoComplete="username" required errors={fields} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        errors={fields}
      />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {solving ? <span role="status">Checking you are not a robot…</span> : null}
      </div>
      {audience === "portal" ? (
        <div className="passkey-sign-in">
          <p className="hint">Or, without typing anything, with a passkey saved on this device or your phone:</p>
          <button type="button" className="secondary" onClick={passkeyOnly} disabled={busy}>
            Sign in with a passkey
          </button>
        </div>
      ) : null}
    </form>
  );
}
