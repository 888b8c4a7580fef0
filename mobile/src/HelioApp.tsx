import { unwrap } from "@helio/api-client";
import { BlurView } from "expo-blur";
import { useCallback, useEffect, useRef, useState } from "react";
import { AppState, type AppStateStatus, StyleSheet, Text, View } from "react-native";

import type { Session } from "./api/session";
import { APP_VERSION, IDLE_LOCK_MS } from "./config";
import { isIdleExpired, type UnlockResult } from "./security/biometricGate";
import { isUpdateRequired } from "./security/version";
import { HomeScreen, type Route } from "./screens/HomeScreen";
import { LockScreen } from "./screens/LockScreen";
import { OrderScreen } from "./screens/OrderScreen";
import { QuoteScreen } from "./screens/QuoteScreen";
import { SignInScreen } from "./screens/SignInScreen";
import { UpdateRequiredScreen } from "./screens/UpdateRequiredScreen";

export interface AppProps {
  session: Session;
  unlock: () => Promise<UnlockResult>;
  now?: () => number;
  idleMs?: number;
  appVersion?: string;
}

type Phase = "starting" | "signed_out" | "locked" | "ready";

/**
 * The app shell: version gate, sign-in, the idle lock (biometrics or passcode, then a
 * refresh-token rotation), and a blur over everything while the app is in the background.
 */
export function HelioApp({ session, unlock, now = Date.now, idleMs = IDLE_LOCK_MS, appVersion = APP_VERSION }: AppProps) {
  const [phase, setPhase] = useState<Phase>("starting");
  const [minVersion, setMinVersion] = useState<string | null>(null);
  const [background, setBackground] = useState(false);
  const [route, setRoute] = useState<Route>({ name: "home" });
  const [lockMessage, setLockMessage] = useState<string | null>(null);
  const lastActive = useRef(now());

  useEffect(() => {
    let live = true;
    unwrap(session.client.GET("/api/v1/app/config"))
      .then((config) => live && setMinVersion(config.min_mobile_version))
      .catch(() => undefined);
    // A stored refresh token means a session from an earlier launch: unlock it first.
    session
      .hasStoredSession()
      .then((stored) => live && setPhase(stored ? "locked" : "signed_out"))
      .catch(() => live && setPhase("signed_out"));
    const unsubscribe = session.onChange((signedIn) => {
      if (signedIn) {
        lastActive.current = now();
        setPhase("ready");
      } else {
        setPhase((p) => (p === "locked" ? p : "signed_out"));
        setRoute({ name: "home" });
      }
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [session, now]);

  useEffect(() => {
    const onState = (state: AppStateStatus) => {
      if (state === "active") {
        setBackground(false);
        if (isIdleExpired(lastActive.current, now(), idleMs)) {
          session.lock();
          setPhase((p) => (p === "ready" ? "locked" : p));
        } else {
          lastActive.current = now();
        }
      } else {
        // Blur the app switcher's snapshot; the idle clock keeps running from here.
        setBackground(true);
        lastActive.current = now();
      }
    };
    const subscription = AppState.addEventListener("change", onState);
    return () => subscription.remove();
  }, [session, now, idleMs]);

  const touch = useCallback(() => {
    if (phase !== "ready") return;
    if (isIdleExpired(lastActive.current, now(), idleMs)) {
      session.lock();
      setPhase("locked");
    } else {
      lastActive.current = now();
    }
  }, [phase, session, now, idleMs]);

  const tryUnlock = async () => {
    setLockMessage(null);
    const result = await unlock();
    if (result !== "unlocked") {
      setLockMessage(result === "unavailable" ? "This device has no biometrics or passcode set: sign in again." : "Not unlocked.");
      return;
    }
    if (!(await session.refresh())) {
      setLockMessage("Your session has ended: sign in again.");
      setPhase("signed_out");
    }
  };

  let content;
  if (isUpdateRequired(appVersion, minVersion)) {
    content = <UpdateRequiredScreen current={appVersion} minimum={minVersion ?? ""} />;
  } else if (phase === "starting") {
    content = <Text>Loading…</Text>;
  } else if (phase === "locked") {
    content = <LockScreen message={lockMessage} onUnlock={() => void tryUnlock()} onSignOut={() => void session.signOut().then(() => setPhase("signed_out"))} />;
  } else if (phase === "signed_out") {
    content = <SignInScreen session={session} />;
  } else if (route.name === "quote") {
    content = <QuoteScreen session={session} id={route.id} back={() => setRoute({ name: "home" })} />;
  } else if (route.name === "order") {
    content = <OrderScreen session={session} id={route.id} back={() => setRoute({ name: "home" })} />;
  } else {
    content = <HomeScreen session={session} go={setRoute} />;
  }

  return (
    <View style={{ flex: 1 }} onTouchStart={touch}>
      {content}
      {background ? <BlurView intensity={100} tint="light" style={StyleSheet.absoluteFill} testID="privacy-blur" /> : null}
    </View>
  );
}
