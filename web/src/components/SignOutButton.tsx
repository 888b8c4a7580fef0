"use client";

import { browserApi } from "@/lib/browser-api";

export function SignOutButton() {
  async function signOut() {
    await browserApi().POST("/api/v1/auth/logout").catch(() => undefined);
    window.location.replace(new URL("/sign-in", window.location.origin));
  }
  return (
    <button type="button" className="secondary" onClick={signOut}>
      Sign out
    </button>
  );
}
