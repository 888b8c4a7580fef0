/**
 * Which audience serves which path. One build runs as two servers: the
 * customer portal and the staff console, each on its own origin (so each has
 * its own cookie jar). Each refuses the other's pages and API areas.
 */

export type Audience = "portal" | "console";

/** The request header proxy.ts sets to the audience it chose for a page. */
export const AUDIENCE_HEADER = "x-helio-audience";

/** Pages both servers serve: sign-in and the links in account mails. */
const SHARED_PAGES = new Set([
  "/sign-in",
  "/forgot-password",
  "/reset-password",
  "/accept-invitation",
  "/offline",
  "/not-found",
]);

const PORTAL_ONLY_PAGES = new Set(["/sign-up", "/verify-email"]);

/** API areas (first segment after /api/v1/) each audience may reach. */
const API_AREAS: Record<Audience, ReadonlySet<string>> = {
  portal: new Set(["auth", "me", "sites", "quotes", "orders", "leads", "documents"]),
  console: new Set(["auth", "staff", "admin"]),
};

/** Public files every audience serves (the PWA shell). */
const PUBLIC_FILES = /^\/(sw\.js|manifest\.webmanifest|favicon\.ico|icons\/[a-z0-9-]+\.png|_next\/.*)$/;

export type PathDecision = "allow" | "not_found" | { redirect: string };

export function apiArea(pathname: string): string | null {
  const match = /^\/api\/v1\/([a-z-]+)(?:\/|$)/.exec(pathname);
  return match ? (match[1] ?? null) : null;
}

/** Decide whether `pathname` belongs to this audience. */
export function decidePath(audience: Audience, pathname: string): PathDecision {
  if (PUBLIC_FILES.test(pathname) || SHARED_PAGES.has(pathname)) return "allow";
  if (pathname === "/api" || pathname.startsWith("/api/")) {
    const area = apiArea(pathname);
    return area !== null && API_AREAS[audience].has(area) ? "allow" : "not_found";
  }
  const consolePath = pathname === "/console" || pathname.startsWith("/console/");
  if (audience === "console") {
    if (pathname === "/") return { redirect: "/console" };
    return consolePath ? "allow" : "not_found";
  }
  if (consolePath) return "not_found";
  return PORTAL_ONLY_PAGES.has(pathname) || !pathname.startsWith("/_") ? "allow" : "not_found";
}

/** Unsafe requests must come from this server's own origin (never the other audience's). */
export function originAllowed(method: string, origin: string | null, own: string): boolean {
  if (["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase())) return true;
  return origin !== null && origin === own;
}
