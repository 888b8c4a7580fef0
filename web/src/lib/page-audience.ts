import "server-only";

import { notFound, redirect } from "next/navigation";

import { decidePath } from "./audience";
import { requestAudience } from "./request-audience";
import { currentPath } from "./server-api";

/**
 * Refuse a page of the other audience from the layout of its route group: a 404 (the
 * custom not-found page), or the console's start page for `/` on the console.
 *
 * This is not done by a rewrite in proxy.ts: Next.js builds the proxy's `request.url`
 * on "localhost" but compares rewrite and redirect targets with the host name the server
 * binds (127.0.0.1 here, HOSTNAME in the image), so a rewrite built from `request.url`
 * became an external rewrite, proxied over HTTP to localhost and refused by the Host check
 * (421), and a redirect left with an absolute localhost URL.
 */
export async function enforcePageAudience(): Promise<void> {
  const decision = decidePath(await requestAudience(), await currentPath());
  if (decision === "not_found") notFound();
  if (typeof decision === "object") redirect(decision.redirect);
}
