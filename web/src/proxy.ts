import { NextResponse, type NextRequest } from "next/server";

import { AUDIENCE_HEADER, decidePath, originAllowed, type Audience } from "@/lib/audience";
import { audienceForHost, originOf, webConfig, type WebConfig } from "@/lib/config";
import { buildCsp, newNonce } from "@/lib/csp";

function refusal(status: number, code: string, message: string): NextResponse {
  const requestId = crypto.randomUUID().replaceAll("-", "");
  return NextResponse.json(
    { error: { code, message, request_id: requestId } },
    { status, headers: { "Cache-Control": "no-store", "X-Request-ID": requestId } },
  );
}

/** Liveness for probes, whatever their Host header: says nothing, touches nothing. */
function health(request: NextRequest): NextResponse | null {
  if (request.nextUrl.pathname !== "/healthz") return null;
  if (request.method !== "GET" && request.method !== "HEAD") return refusal(405, "method_not_allowed", "Only GET.");
  return NextResponse.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}

/** HSTS on everything this server answers over https (a build-time header cannot know). */
function withTransportSecurity(response: NextResponse, origin: string): NextResponse {
  if (origin.startsWith("https://")) {
    response.headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload");
  }
  return response;
}

/**
 * Every request: refuse a Host naming neither origin this server serves, the other
 * audience's API areas and unsafe requests from any origin but the page's own; give pages
 * a fresh nonce, the CSP that requires it and the audience the Host chose.
 */
export function proxy(request: NextRequest): NextResponse {
  const healthy = health(request);
  if (healthy) return healthy;
  const config = webConfig();
  const audience = audienceForHost(config, request.headers.get("host"));
  if (audience === null) return refusal(421, "wrong_host", "This server does not answer for that host name.");
  const origin = originOf(config, audience);
  return withTransportSecurity(decide(request, config, audience, origin), origin);
}

function decide(request: NextRequest, config: WebConfig, audience: Audience, origin: string): NextResponse {
  const { pathname } = request.nextUrl;
  if (!originAllowed(request.method, request.headers.get("origin"), origin)) {
    return refusal(403, "origin_refused", "Requests from this origin are not accepted.");
  }
  if (pathname.startsWith("/api/")) {
    // Pages of the other audience are refused by their route group's layout (page-audience.ts).
    if (decidePath(audience, pathname) !== "allow") return refusal(404, "not_found", "Not found.");
    return NextResponse.next();
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    return refusal(405, "method_not_allowed", "Pages only answer GET.");
  }
  return NextResponse.next(pageInit(request, config, audience, origin));
}

function pageInit(request: NextRequest, config: WebConfig, audience: Audience, origin: string) {
  const nonce = newNonce();
  const csp = buildCsp({ nonce, development: config.development, https: origin.startsWith("https://") });
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", csp);
  headers.set("x-helio-pathname", request.nextUrl.pathname);
  headers.set(AUDIENCE_HEADER, audience);
  return {
    request: { headers },
    headers: { "Content-Security-Policy": csp, "Cache-Control": "no-store" },
  };
}

export const config = {
  matcher: [
    {
      source: "/((?!_next/static|_next/image|favicon.ico).*)",
    },
  ],
};
