import { NextResponse, type NextRequest } from "next/server";

import { decidePath, originAllowed } from "@/lib/audience";
import { webConfig } from "@/lib/config";
import { buildCsp, newNonce } from "@/lib/csp";

function refusal(status: number, code: string, message: string): NextResponse {
  const requestId = crypto.randomUUID().replaceAll("-", "");
  return NextResponse.json(
    { error: { code, message, request_id: requestId } },
    { status, headers: { "Cache-Control": "no-store", "X-Request-ID": requestId } },
  );
}

/**
 * Every request: refuse a foreign Host, the other audience's API areas and unsafe
 * requests from any origin but this server's own; give pages a fresh nonce
 * and the CSP that requires it.
 */
export function proxy(request: NextRequest): NextResponse {
  const config = webConfig();
  const own = new URL(config.origin);
  const { pathname } = request.nextUrl;
  const isApi = pathname.startsWith("/api/");
  if (request.headers.get("host") !== own.host) {
    return refusal(421, "wrong_host", "This server does not answer for that host name.");
  }
  if (!originAllowed(request.method, request.headers.get("origin"), config.origin)) {
    return refusal(403, "origin_refused", "Requests from this origin are not accepted.");
  }
  if (isApi) {
    // Pages of the other audience are refused by their route group's layout (page-audience.ts).
    if (decidePath(config.audience, pathname) !== "allow") return refusal(404, "not_found", "Not found.");
    return NextResponse.next();
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    return refusal(405, "method_not_allowed", "Pages only answer GET.");
  }
  return NextResponse.next(pageInit(request, config));
}

function pageInit(request: NextRequest, config: ReturnType<typeof webConfig>) {
  const nonce = newNonce();
  const csp = buildCsp({
    nonce,
    development: config.development,
    https: config.origin.startsWith("https://"),
  });
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", csp);
  headers.set("x-helio-pathname", request.nextUrl.pathname);
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
