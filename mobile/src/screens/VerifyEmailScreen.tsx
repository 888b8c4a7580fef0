import { unwrap } from "@helio/api-client";
import { useCallback, useEffect, useState } from "react";
import { Text } from "react-native";

import type { Session } from "../api/session";
import { Button, ErrorText, Field, LinkButton, problemText, Screen } from "./ui";

/** The token in a confirmation link: the mail's link carries it in the fragment (`#token=…`). */
export function tokenInLink(text: string): string | null {
  const match = /[#?&]token=([^&#\s]+)/.exec(text);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

/** What the person entered: the whole link from the mail, or the bare token. */
export function tokenFromMailLink(text: string): string {
  return tokenInLink(text) ?? text.trim();
}

/** Confirm the email address with the token from the mail (typed, pasted, or opened as a link). */
export function VerifyEmailScreen({ session, initialToken, onSignIn }: { session: Session; initialToken?: string | null; onSignIn: () => void }) {
  const [entry, setEntry] = useState("");
  const [busy, setBusy] = useState(Boolean(initialToken));
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  const verify = useCallback(
    (token: string) => unwrap(session.client.POST("/api/v1/auth/verify-email", { body: { token } })),
    [session],
  );

  // A link opened on the device confirms straight away.
  useEffect(() => {
    if (!initialToken) return;
    let live = true;
    verify(initialToken)
      .then(() => live && setDone(true))
      .catch((e: unknown) => live && setError(problemText(e)))
      .finally(() => live && setBusy(false));
    return () => {
      live = false;
    };
  }, [initialToken, verify]);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await verify(tokenFromMailLink(entry));
      setEntry("");
      setDone(true);
    } catch (e) {
      setError(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <Screen title="Email confirmed">
        <Text testID="verify-done">Your email address is confirmed. You can sign in now.</Text>
        <Button label="Sign in" onPress={onSignIn} testID="go-sign-in" />
      </Screen>
    );
  }
  return (
    <Screen title="Confirm your email">
      <Field label="The link or the code from the mail" value={entry} onChangeText={setEntry} testID="verify-token" />
      {busy ? <Text>Confirming…</Text> : null}
      <ErrorText message={error} />
      <Button label="Confirm" disabled={busy || !tokenFromMailLink(entry)} onPress={() => void confirm()} testID="verify-submit" />
      <LinkButton label="Back to sign in" onPress={onSignIn} testID="go-sign-in" />
    </Screen>
  );
}
