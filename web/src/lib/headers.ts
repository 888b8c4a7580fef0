/**
 * Security headers of the web app. The CSP is per request (it carries the
 * nonce) and is built in csp.ts; HSTS is added by proxy.ts for https origins;
 * the rest are the same on every response.
 */

export interface Header {
  key: string;
  value: string;
}

const PERMISSIONS_POLICY = [
  "accelerometer=()",
  "camera=()",
  "geolocation=()",
  "gyroscope=()",
  "magnetometer=()",
  "microphone=()",
  "payment=()",
  "usb=()",
  "publickey-credentials-create=(self)",
  "publickey-credentials-get=(self)",
].join(", ");

/**
 * Headers on every response of the web server (pages, assets, API pass-through). They are
 * fixed at build time; HSTS depends on the origin served, so proxy.ts adds it.
 */
export function staticSecurityHeaders(): Header[] {
  return [
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "same-origin" },
    { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
    { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
    { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
    { key: "X-Frame-Options", value: "DENY" },
  ];
}
