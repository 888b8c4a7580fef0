/**
 * The Content-Security-Policy of every page: scripts only with this
 * response's nonce (plus what they load, 'strict-dynamic'), no inline script
 * or eval in production, no plugins, no framing, no foreign connections, and
 * Trusted Types for the DOM sinks that take script.
 */

export interface CspOptions {
  nonce: string;
  /** `next dev` needs eval for React's debugging; production never gets it. */
  development: boolean;
  /** https origins also upgrade any stray http:// subresource. */
  https: boolean;
}

/** Trusted Types policies the app and the framework create. */
export const TRUSTED_TYPES_POLICIES = ["default", "nextjs", "nextjs#bundler"] as const;

export function buildCsp({ nonce, development, https }: CspOptions): string {
  const script = ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"];
  if (development) script.push("'unsafe-eval'");
  const directives = [
    "default-src 'self'",
    `script-src ${script.join(" ")}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  // The dev overlay writes HTML outside any policy; production enforces Trusted Types.
  if (!development) {
    directives.push("require-trusted-types-for 'script'");
    directives.push(`trusted-types ${TRUSTED_TYPES_POLICIES.join(" ")}`);
  }
  if (https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** A fresh nonce: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
