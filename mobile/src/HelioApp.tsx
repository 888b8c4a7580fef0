import { unwrap } from "@helio/api-client";
import { BlurView } from "expo-blur";
import { useCallback, useEffect, useRef, useState } from "react";
import { AppState, type AppStateStatus, Linking, StyleSheet, Text, View } from "react-native";

import type { Session } from "./api/session";
import { APP_VERSION, IDLE_LOCK_MS } from "./config";
import { isIdleExpired, type UnlockResult } from "./security/biometricGate";
import { isUpdateRequired } from "./security/version";
import { HomeScreen, type Route } from "./screens/HomeScreen";
import { LockScreen } from "./screens/LockScreen";
import { OrderScreen } from "./screens/OrderScreen";
import { ProfileScreen } from "./screens/ProfileScreen";
import { QuoteScreen } from "./screens/QuoteScreen";
import { RoofPhotoScreen } from "./screens/RoofPhotoScreen";
import { SignInScreen } from "./screens/SignInScreen";
import { SignUpScreen } from "./screens/SignUpScreen";
import { SiteFormScreen } from "./screens/SiteFormScreen";
import { SitesScreen } from "./screens/SitesScreen";
import { UpdateRequiredScreen } from "./screens/UpdateRequiredScreen";
import { UsageScreen } from "./screens/UsageScreen";
import { tokenInLink, VerifyEmailScreen } from "./screens/VerifyEmailScreen";

export interface AppProps {
  session: Session;
  unlock: () => Promise<UnlockResult>;
  now?: () => number;
  idleMs?: number;
  appVersion?: string;
}

type Phase = "starting" | "signed_out" | "locked" | "ready";
type SignedOutView = { name: "sign-in" } | { name: "sign-up" } | { name: "verify"; token: string | null };

/** The token of a confirmation link opened with the app (`…/verify-email#token=…`). */
export function verifyTokenFromUrl(url: string | null): string | null {
  if (!url || !/\/verify-email(?:[?#]|$)/.test(url)) return null;
  return tokenInLink(url);
}

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
  const [signedOutView, setSignedOutView] = useState<SignedOutView>({ name: "sign-in" });
  const lastActive = useRef(now());

  // A confirmation link opened with the app goes to the verification screen.
  useEffect(() => {
    const open = (url: string | null) => {
      const token = verifyTokenFromUrl(url);
      if (token) setSignedOutView({ name: "verify", token });
    };
    Linking.getInitialURL()
      .then(open)
      .catch(() => undefined);
    const subscription = Linking.addEventListener("url", ({ url }) => open(url));
    return () => subscription?.remove();
  }, []);

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
    const signIn = () => setSignedOutView({ name: "sign-in" });
    const verify = () => setSignedOutView({ name: "verify", token: null });
    if (signedOutView.name === "sign-up") {
      content = <SignUpScreen session={session} onSignIn={signIn} onVerify={verify} />;
    } else if (signedOutView.name === "verify") {
      content = <VerifyEmailScreen key={signedOutView.token ?? ""} session={session} initialToken={signedOutView.token} onSignIn={signIn} />;
    } else {
      content = <SignInScreen session={session} onSignUp={() => setSignedOutView({ name: "sign-up" })} onVerify={verify} />;
    }
  } else if (route.name === "quote") {
    content = <QuoteScreen session={session} id={route.id} back={() => setRoute({ name: "home" })} />;
  } else if (route.name === "order") {
    content = <OrderScreen session={session} id={route.id} back={() => setRoute({ name: "home" })} />;
  } else if (route.name === "sites") {
    content = <SitesScreen session={session} go={setRoute} />;
  } else if (route.name === "site-new") {
    const toSites = () => setRoute({ name: "sites" });
    content = <SiteFormScreen session={session} saved={(site) => setRoute({ name: "usage", siteId: site.id })} back={toSites} />;
  } else if (route.name === "usage") {
    const toSites = () => setRoute({ name: "sites" });
    content = <UsageScreen session={session} siteId={route.siteId} saved={toSites} back={toSites} />;
  } else if (route.name === "photo") {
    content = <RoofPhotoScreen session={session} siteId={route.siteId} back={() => setRoute({ name: "sites" })} />;
  } else if (route.name === "profile") {
    content = <ProfileScreen session={session} back={() => setRoute({ name: "home" })} />;
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
