import { relayRequestHeaders, relayResponseHeaders, upstreamUrl } from "@/lib/bff";
import { webConfig } from "@/lib/config";

type Context = { params: Promise<{ path: string[] }> };

function envelope(status: number, code: string, message: string): Response {
  const requestId = crypto.randomUUID().replaceAll("-", "");
  return Response.json(
    { error: { code, message, request_id: requestId } },
    { status, headers: { "Cache-Control": "no-store", "X-Request-ID": requestId } },
  );
}

async function relay(request: Request, { params }: Context): Promise<Response> {
  const { path } = await params;
  const target = upstreamUrl(webConfig().apiUrl, path, new URL(request.url).search);
  if (target === null) return envelope(404, "not_found", "Not found.");
  const hasBody = !["GET", "HEAD"].includes(request.method);
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers: relayRequestHeaders(request.headers, process.env["HELIO_WEB_TRUST_FORWARDED_FOR"] === "1"),
      body: hasBody ? request.body : undefined,
      redirect: "manual",
      cache: "no-store",
      // Stream uploads instead of buffering them.
      ...(hasBody ? { duplex: "half" } : {}),
    } as RequestInit);
  } catch {
    return envelope(503, "unavailable", "The service is temporarily unavailable.");
  }
  return new Response(upstream.body, {
    status: upstream.status,
    headers: relayResponseHeaders(upstream.headers),
  });
}

export const GET = relay;
export const POST = relay;
export const PUT = relay;
export const PATCH = relay;
export const DELETE = relay;
