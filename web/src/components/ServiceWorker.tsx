"use client";

import { useEffect } from "react";

import { installTrustedTypesPolicy } from "@/lib/trusted-types";

/** Install the Trusted Types policy and register the service worker (app shell, offline page). */
export function ServiceWorker() {
  useEffect(() => {
    installTrustedTypesPolicy();
    if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // Without a service worker the app still works online; nothing to tell the user.
    });
  }, []);
  return null;
}
