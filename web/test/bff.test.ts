import { describe, expect, it } from "vitest";

import { relayRequestHeaders, relayResponseHeaders, upstreamUrl } from "../src/lib/bff";

const API = "http://127.0.0.1:18410";

describe("upstreamUrl", () => {
  it("maps /api/<segments> onto the API with the query", () => {
    expect(upstreamUrl(API, ["v1", "sites", "abc"], "?limit=5")?.href).toBe(`${API}/api/v1/sites/abc?limit=5`);
  });

  it("refuses dot segments, encoded slashes and odd characters", () => {
    expect(upstreamUrl(API, ["v1", "..", "metrics"], "")).toBeNull();
    expect(upstreamUrl(API, ["v1", "sites%2F..%2F..%2Fmetrics"], "")).toBeNull();
    expect(upstreamUrl(API, ["v1", "a/b"], "")).toBeNull();
    expect(upstreamUrl(API, ["v1", "x\u0000"], "")).toBeNull();
    expect(upstreamUrl(API, [], "")).toBeNull();
  });
});

describe("relayRequestHeaders", () => {
  it("relays only named headers, never client-chosen forwarding headers by default", () => {
    const incoming = new Headers({
      cookie: "__Host-helio_session=s",
      "x-csrf-token": "t.m",
      origin: "http://portal.localhost:18400",
      "x-forwarded-for": "6.6.6.6",
      "x-forwarded-host": "evil.example",
      "x-user-id": "admin",
      authorization: "Bearer stolen",
    });
    const out = relayRequestHeaders(incoming);
    expect(out.get("cookie")).toBe("__Host-helio_session=s");
    expect(out.get("x-csrf-token")).toBe("t.m");
    expect(out.get("origin")).toBe("http://portal.localhost:18400");
    expect(out.has("x-forwarded-for")).toBe(false);
    expect(out.has("x-forwarded-host")).toBe(false);
    expect(out.has("x-user-id")).toBe(false);
    expect(out.has("authorization")).toBe(false);
  });

  it("keeps a multipart upload's boundary", () => {
    const type = "multipart/form-data; boundary=----WebKitFormBoundaryx1";
    expect(relayRequestHeaders(new Headers({ "content-type": type })).get("content-type")).toBe(type);
  });

  it("relays X-Forwarded-For behind a trusted ingress", () => {
    const out = relayRequestHeaders(new Headers({ "x-forwarded-for": "203.0.113.9" }), true);
    expect(out.get("x-forwarded-for")).toBe("203.0.113.9");
  });
});

describe("relayResponseHeaders", () => {
  it("keeps every Set-Cookie and the request id, drops the rest, never caches", () => {
    const upstream = new Headers();
    upstream.append("set-cookie", "__Host-helio_session=a; Path=/; Secure; HttpOnly");
    upstream.append("set-cookie", "__Host-helio_csrf=b; Path=/; Secure");
    upstream.set("x-request-id", "req-1");
    upstream.set("server", "uvicorn");
    const out = relayResponseHeaders(upstream);
    expect(out.getSetCookie()).toHaveLength(2);
    expect(out.get("x-request-id")).toBe("req-1");
    expect(out.has("server")).toBe(false);
    expect(out.get("cache-control")).toBe("no-store");
  });

  it("keeps a download's attachment name, type and sandboxing CSP", () => {
    const upstream = new Headers({
      "content-type": "image/jpeg",
      "content-disposition": 'attachment; filename="roof-photo.jpg"',
      "content-security-policy": "default-src 'none'; sandbox",
      "x-request-id": "req-2",
    });
    const out = relayResponseHeaders(upstream);
    expect(out.get("content-type")).toBe("image/jpeg");
    expect(out.get("content-disposition")).toBe('attachment; filename="roof-photo.jpg"');
    expect(out.get("content-security-policy")).toBe("default-src 'none'; sandbox");
  });
});
