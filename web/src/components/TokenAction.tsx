"use client";

import { useSyncExternalStore } from "react";

import { tokenFromHash } from "@/lib/navigation";

const noSubscription = () => () => undefined;

/**
 * The `#token=` of a mail link. The fragment never reaches a server (no access
 * log, no Referer); it is read in the browser only, after hydration.
 */
export function useMailToken(): { token: string | null; ready: boolean } {
  const hash = useSyncExternalStore(noSubscription, () => window.location.hash, () => null);
  return { token: hash === null ? null : tokenFromHash(hash), ready: hash !== null };
}
