import { useState } from "react";

import type { Session } from "../api/session";
import { Button, ErrorText, Field, LinkButton, problemText, Screen } from "./ui";

/** Email and password, then a TOTP code or a recovery code when the account has one. */
export function SignInScreen({ session, onSignUp, onVerify }: { session: Session; onSignUp?: () => void; onVerify?: () => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [step, setStep] = useState<"password" | "mfa">("password");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  if (step === "mfa") {
    return (
      <Screen title="Second step">
        <Field
          label="Code from your authenticator app, or a recovery code"
          value={code}
          onChangeText={setCode}
          autoComplete="one-time-code"
          textContentType="oneTimeCode"
          testID="mfa-code"
        />
        <ErrorText message={error} />
        <Button
          label="Verify"
          disabled={busy || code.trim().length < 6}
          onPress={() => run(() => session.verifyMfa(code))}
          testID="mfa-submit"
        />
      </Screen>
    );
  }
  return (
    <Screen title="Sign in to Helio">
      <Field label="Email" value={email} onChangeText={setEmail} keyboardType="email-address" autoComplete="email" testID="email" />
      <Field label="Password" value={password} onChangeText={setPassword} secureTextEntry autoComplete="current-password" testID="password" />
      <ErrorText message={error} />
      <Button
        label="Sign in"
        disabled={busy || !email || !password}
        onPress={() =>
          run(async () => {
            const next = await session.signIn(email.trim(), password);
            setPassword("");
            if (next.kind === "mfa") setStep("mfa");
          })
        }
        testID="sign-in"
      />
      {onSignUp ? <LinkButton label="New to Helio? Create an account" onPress={onSignUp} testID="go-sign-up" /> : null}
      {onVerify ? <LinkButton label="Confirm your email with the code from the mail" onPress={onVerify} testID="go-verify" /> : null}
    </Screen>
  );
}
