import { ApiError, type Schemas, unwrap } from "@helio/api-client";
import { useEffect, useRef, useState } from "react";
import { ScrollView, Text, View } from "react-native";

import type { Session } from "../api/session";
import { Button, ErrorText, Field, problemText, Screen, styles } from "./ui";

function when(iso: string): string {
  return iso.slice(0, 16).replace("T", " ");
}

/** Name and phone (the API lets the customer change these; the email stays), plus sessions. */
export function ProfileScreen({ session, back }: { session: Session; back: () => void }) {
  const [profile, setProfile] = useState<Schemas["ProfileRead"] | null>(null);
  const [fullName, setFullName] = useState("");
  const [phone, setPhone] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const show = (p: Schemas["ProfileRead"]) => {
    setProfile(p);
    setFullName(p.full_name ?? "");
    setPhone(p.phone ?? "");
  };

  useEffect(() => {
    let live = true;
    unwrap(session.client.GET("/api/v1/me"))
      .then((p) => live && show(p))
      .catch((e: unknown) => live && setError(problemText(e)));
    return () => {
      live = false;
    };
  }, [session]);

  const save = async () => {
    setError(null);
    setNotice(null);
    // The API keeps a name once given; an empty phone removes the number.
    if (!fullName.trim()) {
      setFields({ full_name: "Enter your name." });
      return;
    }
    setFields({});
    setBusy(true);
    try {
      const body: Schemas["ProfileUpdate"] = { full_name: fullName.trim(), phone: phone.trim() || null };
      show(await unwrap(session.client.PATCH("/api/v1/me", { body })));
      setNotice("Saved.");
    } catch (e) {
      setFields(e instanceof ApiError ? e.fields : {});
      setError(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Screen title="Profile and devices">
      <ScrollView contentContainerStyle={{ gap: 10 }}>
        {profile ? (
          <>
            <Text testID="profile-email">
              {profile.email} {profile.email_verified ? "(confirmed)" : "(not confirmed yet)"}
            </Text>
            <Field label="Full name" value={fullName} onChangeText={setFullName} autoCapitalize="words" autoComplete="name" error={fields.full_name} testID="profile-name" />
            <Field label="Phone, with the country code (+44 …)" value={phone} onChangeText={setPhone} keyboardType="phone-pad" autoComplete="tel" error={fields.phone} testID="profile-phone" />
            {notice ? <Text testID="profile-saved">{notice}</Text> : null}
            <Button label="Save" disabled={busy} onPress={() => void save()} testID="profile-save" />
          </>
        ) : null}
        <ErrorText message={error} />
        <Devices session={session} />
        <Button label="Back" onPress={back} testID="back" />
      </ScrollView>
    </Screen>
  );
}

type Pending = () => Promise<void>;

/**
 * Signed-in sessions and devices, each one can be ended; "sign out everywhere" ends all.
 * Ending another session needs a fresh check (step-up): the action waits for it, then runs again.
 */
function Devices({ session }: { session: Session }) {
  const [sessions, setSessions] = useState<Schemas["SessionRead"][] | null>(null);
  const [hasFactor, setHasFactor] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState("");
  const [stepUpError, setStepUpError] = useState<string | null>(null);
  const pending = useRef<Pending | null>(null);
  const [needsStepUp, setNeedsStepUp] = useState(false);

  const [loads, setLoads] = useState(0);
  const reload = () => setLoads((n) => n + 1);

  useEffect(() => {
    let live = true;
    unwrap(session.client.GET("/api/v1/auth/sessions"))
      .then((page) => live && setSessions(page.items))
      .catch((e: unknown) => live && setError(problemText(e)));
    return () => {
      live = false;
    };
  }, [session, loads]);

  useEffect(() => {
    let live = true;
    unwrap(session.client.GET("/api/v1/auth/mfa"))
      .then((mfa) => live && setHasFactor(mfa.totp || mfa.passkeys.length > 0))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [session]);

  const guarded = async (work: Pending) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      if (e instanceof ApiError && e.code === "step_up_required") {
        pending.current = work;
        setNeedsStepUp(true);
      } else {
        setError(problemText(e));
      }
    } finally {
      setBusy(false);
    }
  };

  const confirmStepUp = async () => {
    setStepUpError(null);
    try {
      await session.stepUp(hasFactor ? { code: secret.trim() } : { password: secret });
    } catch (e) {
      setStepUpError(problemText(e));
      return;
    }
    setSecret("");
    setNeedsStepUp(false);
    const work = pending.current;
    pending.current = null;
    if (work) await guarded(work);
  };

  const revoke = (item: Schemas["SessionRead"]) =>
    guarded(async () => {
      await unwrap(session.client.DELETE("/api/v1/auth/sessions/{session_id}", { params: { path: { session_id: item.id } } }));
      // Ending this device's session is a sign-out: the API has ended it already.
      if (item.current) await session.forget();
      else reload();
    });

  return (
    <>
      <Text accessibilityRole="header" style={styles.title}>
        Sessions and devices
      </Text>
      <ErrorText message={error} />
      {needsStepUp ? (
        <View style={{ gap: 8 }} testID="step-up">
          <Text>Confirm it is you: this needs a fresh check.</Text>
          <Field
            label={hasFactor ? "Code from your authenticator app, or a recovery code" : "Your password"}
            value={secret}
            onChangeText={setSecret}
            secureTextEntry={!hasFactor}
            autoComplete={hasFactor ? "one-time-code" : "current-password"}
            testID="step-up-secret"
          />
          <ErrorText message={stepUpError} />
          <Button label="Confirm" disabled={!secret.trim()} onPress={() => void confirmStepUp()} testID="step-up-submit" />
        </View>
      ) : null}
      {sessions?.map((item) => (
        <View key={item.id} style={styles.row} testID={`session-${item.id}`}>
          <View style={{ flex: 1 }}>
            <Text>
              {item.device ?? "Unknown device"}
              {item.current ? " · this device" : ""}
            </Text>
            <Text style={styles.muted}>
              {item.network ?? "—"} · last seen {when(item.last_seen_at)}
            </Text>
          </View>
          <Button label={item.current ? "Sign out here" : "End"} disabled={busy} onPress={() => void revoke(item)} testID={`revoke-${item.id}`} />
        </View>
      ))}
      <Button label="Sign out everywhere" disabled={busy} onPress={() => void guarded(() => session.signOutEverywhere())} testID="sign-out-everywhere" />
    </>
  );
}
