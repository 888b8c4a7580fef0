import { ApiError } from "@helio/api-client";
import { useState } from "react";
import { ScrollView, Text } from "react-native";

import type { Session } from "../api/session";
import { Button, ErrorText, Field, LinkButton, problemText, Screen } from "./ui";

/**
 * Create an account. The API answers the same whether the address is taken or not, so the
 * screen does too: it always says a mail is on its way, never that an account exists.
 */
export function SignUpScreen({ session, onSignIn, onVerify }: { session: Session; onSignIn: () => void; onVerify: () => void }) {
  const [fullName, setFullName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(false);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await session.register({ full_name: fullName.trim(), email: email.trim(), password });
      setPassword("");
      setSent(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (sent) {
    return (
      <Screen title="Check your mail">
        <Text testID="sign-up-sent">
          If this address can get a new account, a mail with a confirmation link is on its way to it. Open the link on this
          device, or enter the code from the link here.
        </Text>
        <Button label="Enter the code from the mail" onPress={onVerify} testID="go-verify" />
        <LinkButton label="Back to sign in" onPress={onSignIn} testID="go-sign-in" />
      </Screen>
    );
  }
  const fields = error instanceof ApiError ? error.fields : {};
  return (
    <Screen title="Create your Helio account">
      <ScrollView contentContainerStyle={{ gap: 12 }}>
        <Field label="Full name" value={fullName} onChangeText={setFullName} autoCapitalize="words" autoComplete="name" error={fields.full_name} testID="full-name" />
        <Field label="Email" value={email} onChangeText={setEmail} keyboardType="email-address" autoComplete="email" error={fields.email} testID="email" />
        <Field
          label="Password (at least 12 characters; a few unrelated words make a strong one)"
          value={password}
          onChangeText={setPassword}
          secureTextEntry
          autoComplete="new-password"
          error={fields.password}
          testID="password"
        />
        {busy ? <Text accessibilityRole="text">Checking you are not a robot can take a few seconds…</Text> : null}
        <ErrorText message={error ? problemText(error) : null} />
        <Button label="Create account" disabled={busy || !fullName.trim() || !email.trim() || !password} onPress={() => void submit()} testID="sign-up" />
        <LinkButton label="I have an account: sign in" onPress={onSignIn} testID="go-sign-in" />
        <LinkButton label="I have a confirmation code" onPress={onVerify} testID="go-verify" />
      </ScrollView>
    </Screen>
  );
}
