/**
 * The API pass-through of the web server (backend-for-frontend): browsers
 * call `/api/v1/...` on the page's own origin, so the API's `__Host-`
 * cookies belong to that origin; this server relays the call to the API.
 * Only named headers cross in either direction.
 */

/** Request headers relayed to the API. */
export const REQUEST_HEADERS = [
  "accept",
  "content-type",
  "cookie",
  "idempotency-key",
  "origin",
  "user-agent",
  "x-csrf-token",
  "x-pow-solution",
] as const;

/**
 * Response headers relayed to the browser (Set-Cookie is handled one by one). A download keeps
 * its attachment name, type and the API's sandboxing CSP; nosniff is set on every response.
 */
export const RESPONSE_HEADERS = [
  "cache-control",
  "content-disposition",
  "content-security-policy",
  "content-type",
  "retry-after",
  "x-request-id",
] as const;

const SEGMENT = /^[A-Za-z0-9._~-]{1,200}$/;

/**
 * The upstream URL of `/api/<segments>?<search>`, or null when a segment
 * could walk out of the API's path (dot segments, encoded slashes, controls).
 */
export function upstreamUrl(apiUrl: string, segments: readonly string[], search: string): URL | null {
  if (segments.length === 0 || segments.length > 12) return null;
  for (const segment of segments) {
    if (!SEGMENT.test(segment) || segment === "." || segment === "..") return null;
  }
  const url = new URL(`/api/${segments.join("/")}`, apiUrl);
  url.search = search;
  return url;
}

/**
 * X-Forwarded-For is relayed only when this server's front wrote it
 * (HELIO_WEB_TRUST_FORWARDED_FOR=1): scripts/web-server.mjs sets it from the
 * socket and sets the flag itself; behind another proxy, set the flag only when
 * that proxy overwrites the header. Otherwise a browser could choose the
 * address the API counts failed sign-ins against.
 */
export function relayRequestHeaders(incoming: Headers, trustForwardedFor = false): Headers {
  const out = new Headers();
  const forwarded = incoming.get("x-forwarded-for");
  if (trustForwardedFor && forwarded) out.set("x-forwarded-for", forwarded);
  for (const name of REQUEST_HEADERS) {
    const value = incoming.get(name);
    if (value !== null) out.set(name, value);
  }
  return out;
}

export function relayResponseHeaders(upstream: Headers): Headers {
  const out = new Headers();
  for (const name of RESPONSE_HEADERS) {
    const value = upstream.get(name);
    if (value !== null) out.set(name, value);
  }
  for (const cookie of upstream.getSetCookie()) out.append("set-cookie", cookie);
  if (!out.has("cache-control")) out.set("cache-control", "no-store");
  return out;
}
