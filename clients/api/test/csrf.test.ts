import { describe, expect, it } from "vitest";

import { createHelioClient } from "../src/client";
import { csrfFromCookieString, isUnsafeMethod, withCsrf } from "../src/csrf";

describe("csrfFromCookieString", () => {
  it("prefers the __Host- cookie and decodes it", () => {
    expect(csrfFromCookieString("a=1; __Host-helio_csrf=tok%2Ben.mac; helio_csrf=old")).toBe(
      "tok+en.mac",
    );
  });

  it("falls back to the bare name on a plain-http laptop", () => {
    expect(csrfFromCookieString("helio_csrf=abc.def")).toBe("abc.def");
  });

  it("returns null without a token, and ignores look-alike names", () => {
    expect(csrfFromCookieString("")).toBeNull();
    expect(csrfFromCookieString("xhelio_csrf=evil; helio_csrfx=evil")).toBeNull();
  });
});

describe("withCsrf", () => {
  it("adds the header to unsafe methods only", () => {
    const post = withCsrf(new Request("http://x/api", { method: "POST" }), "t.m");
    const get = withCsrf(new Request("http://x/api"), "t.m");
    expect(post.headers.get("X-CSRF-Token")).toBe("t.m");
    expect(get.headers.has("X-CSRF-Token")).toBe(false);
    expect(isUnsafeMethod("delete")).toBe(true);
    expect(isUnsafeMethod("HEAD")).toBe(false);
  });
});

describe("createHelioClient", () => {
  it("echoes the CSRF token on every unsafe call and never on reads", async () => {
    const seen: Array<[string, string | null]> = [];
    const fetch = async (input: Request) => {
      seen.push([input.method, input.headers.get("X-CSRF-Token")]);
      return new Response("{}", { status: 200, headers: { "Content-Type": "application/json" } });
    };
    const client = createHelioClient({
      baseUrl: "http://portal.test",
      csrfToken: () => "nonce.mac",
      fetch: fetch as typeof globalThis.fetch,
    });
    await client.GET("/api/v1/sites");
    await client.POST("/api/v1/auth/logout");
    await client.DELETE("/api/v1/sites/{site_id}", { params: { path: { site_id: "s1" } } });
    await client.PATCH("/api/v1/me", { body: { full_name: "Ann" } });
    expect(seen).toEqual([
      ["GET", null],
      ["POST", "nonce.mac"],
      ["DELETE", "nonce.mac"],
      ["PATCH", "nonce.mac"],
    ]);
  });
});
