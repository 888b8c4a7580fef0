"use client";

import { unwrap, type Schemas } from "@helio/api-client";
import { startRegistration } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { QrCode } from "@/components/QrCode";
import { StepUpForm } from "@/components/StepUpForm";
import { browserApi } from "@/lib/browser-api";
import { useGuardedAction } from "@/lib/use-guarded";

type Status = Schemas["MfaStatusRead"];

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <Notice>
      <p>
        <strong>Your recovery codes.</strong> Each works once if you lose your device. Keep them somewhere safe:
        they are shown only now.
      </p>
      <ul className="codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
    </Notice>
  );
}

export function SecurityPanel({ status }: { status: Status }) {
  const router = useRouter();
  const action = useGuardedAction();
  const { busy, problem, guarded, fields, needsStepUp, stepUpDone } = action;
  const [setup, setSetup] = useState<Schemas["TotpSetupRead"] | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const hasFactor = status.totp || status.passkeys.length > 0;
  const api = browserApi();

  async function startTotp() {
    const result = await guarded(() => unwrap(api.POST("/api/v1/auth/mfa/totp/setup")));
    if (result) setSetup(result);
  }

  async function confirmTotp(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("code")).trim();
    const result = await guarded(() => unwrap(api.POST("/api/v1/auth/mfa/totp/confirm", { body: { code } })));
    if (!result) return;
    setSetup(null);
    setCodes(result.recovery_codes ?? null);
    router.refresh();
  }

  async function addPasskey(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") || "Passkey");
    const result = await guarded(async () => {
      const options = await unwrap(api.POST("/api/v1/auth/webauthn/register/options"));
      const credential = await startRegistration({ optionsJSON: options as never });
      return unwrap(
        api.POST("/api/v1/auth/webauthn/register/verify", {
          body: { credential: credential as unknown as Record<string, unknown>, name },
        }),
      );
    });
    if (!result) return;
    setCodes(result.recovery_codes ?? null);
    router.refresh();
  }

  async function removeTotp() {
    const done = await guarded(() => unwrap(api.DELETE("/api/v1/auth/mfa/totp")).then(() => true));
    if (done) router.refresh();
  }

  async function removePasskey(id: string) {
    const done = await guarded(() =>
      unwrap(api.DELETE("/api/v1/auth/webauthn/credentials/{credential_id}", { params: { path: { credential_id: id } } })).then(
        () => true,
      ),
    );
    if (done) router.refresh();
  }

  async function newCodes() {
    const result = await guarded(() => unwrap(api.POST("/api/v1/auth/mfa/recovery-codes")));
    if (result) setCodes(result.recovery_codes);
  }

  return (
    <>
      <ErrorNotice problem={problem} />
      {needsStepUp ? <StepUpForm onDone={stepUpDone} usePassword={!hasFactor} /> : null}
      {codes ? <RecoveryCodes codes={codes} /> : null}

      <section className="card" aria-labelledby="totp-title">
        <h2 id="totp-title">Authenticator app</h2>
        {status.totp ? (
          <div className="actions">
            <span className="badge">Set up</span>
            <button type="button" className="secondary" onClick={removeTotp} disabled={busy}>
              Remove the authenticator app
            </button>
          </div>
        ) : setup ? (
          <form onSubmit={confirmTotp} noValidate>
            <p>Scan this code with your authenticator app, or type the key by hand.</p>
            <QrCode value={setup.otpauth_uri} label="QR code of your authenticator key" />
            <p>
              Key: <span className="secret" data-testid="totp-secret">{setup.secret}</span>
            </p>
            <Field label="The six-digit code the app shows" name="code" inputMode="numeric" autoComplete="one-time-code" required errors={fields} />
            <button type="submit" disabled={busy}>
              Confirm
            </button>
          </form>
        ) : (
          <button type="button" onClick={startTotp} disabled={busy}>
            Set up an authenticator app
          </button>
        )}
      </section>

      <section className="card" aria-labelledby="passkeys-title">
        <h2 id="passkeys-title">Passkeys</h2>
        {status.passkeys.length > 0 ? (
          <ul>
            {status.passkeys.map((key) => (
              <li key={key.id}>
                {key.name ?? "Passkey"}{" "}
                <button type="button" className="secondary" onClick={() => removePasskey(key.id)} disabled={busy}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p>No passkey yet.</p>
        )}
        <form onSubmit={addPasskey} noValidate>
          <Field label="Name of the new passkey" name="name" defaultValue="My phone" maxLength={64} errors={fields} />
          <button type="submit" disabled={busy}>
            Add a passkey
          </button>
        </form>
      </section>

      {hasFactor ? (
        <section className="card" aria-labelledby="codes-title">
          <h2 id="codes-title">Recovery codes</h2>
          <p>{status.recovery_codes_left} unused recovery codes left.</p>
          <button type="button" className="secondary" onClick={newCodes} disabled={busy}>
            Make new recovery codes
          </button>
        </section>
      ) : null}
    </>
  );
}
