/**
 * CSRF for cookie sessions: the API sets a readable CSRF cookie at sign-in;
 * every unsafe request echoes it in X-CSRF-Token. The session cookie itself
 * is HttpOnly and never touched by script.
 */

export const CSRF_HEADER = "X-CSRF-Token";
/** `__Host-` prefixed where cookies are Secure; bare on a plain-http laptop. */
export const CSRF_COOKIE_NAMES = ["__Host-helio_csrf", "helio_csrf"] as const;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** Read the CSRF token from a `document.cookie` string (first known name wins). */
export function csrfFromCookieString(cookies: string): string | null {
  const jar = new Map<string, string>();
  for (const part of cookies.split(";")) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    const name = part.slice(0, index).trim();
    if (!jar.has(name)) jar.set(name, part.slice(index + 1).trim());
  }
  for (const name of CSRF_COOKIE_NAMES) {
    const value = jar.get(name);
    if (value) return decodeURIComponent(value);
  }
  return null;
}

/** Copy `request` with the CSRF header when the method is unsafe and a token exists. */
export function withCsrf(request: Request, token: string | null): Request {
  if (!isUnsafeMethod(request.method) || !token) return request;
  const headers = new Headers(request.headers);
  headers.set(CSRF_HEADER, token);
  return new Request(request, { headers });
}
