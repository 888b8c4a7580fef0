/** A fake of the token API, enough to drive the Session and the screens in Jest. */
export interface Call {
  method: string;
  url: string;
  search: string;
  headers: Record<string, string>;
  body: unknown;
}

export function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", "X-Request-ID": "req-1" },
  });
}

export function envelope(status: number, code: string, message = code): Response {
  return json(status, { error: { code, message, request_id: "req-1" } });
}

export type Handler = (call: Call) => Response | Promise<Response>;

export function fakeFetch(handler: Handler) {
  const calls: Call[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    const text = await request.text();
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const url = new URL(request.url);
    // JSON bodies are parsed; a multipart upload stays as its text.
    const body = !text ? undefined : (headers["content-type"] ?? "").startsWith("multipart/") ? text : JSON.parse(text);
    const call: Call = { method: request.method, url: url.pathname, search: url.search, headers, body };
    calls.push(call);
    return handler(call);
  };
  return { calls, fetchImpl: fetchImpl as typeof fetch };
}
