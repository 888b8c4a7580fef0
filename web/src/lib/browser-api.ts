"use client";

import { createHelioClient, csrfFromCookieString, type HelioClient } from "@helio/api-client";

let client: HelioClient | null = null;

/**
 * The browser's client: same origin, cookies, the CSRF header on every unsafe call.
 * Client components also render on the server, so creating it touches no browser global:
 * the base URL is relative ("" → `/api/v1/...` on the page's origin) and the CSRF cookie
 * is read when a request is sent.
 */
export function browserApi(): HelioClient {
  client ??= createHelioClient({
    baseUrl: "",
    csrfToken: () => csrfFromCookieString(document.cookie),
  });
  return client;
}
