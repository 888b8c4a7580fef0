"use client";

import { createHelioClient, csrfFromCookieString, type HelioClient } from "@helio/api-client";

let client: HelioClient | null = null;

/** The browser's client: same origin, cookies, the CSRF header on every unsafe call. */
export function browserApi(): HelioClient {
  client ??= createHelioClient({
    baseUrl: window.location.origin,
    csrfToken: () => csrfFromCookieString(document.cookie),
  });
  return client;
}
