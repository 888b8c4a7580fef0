import { describe, expect, it } from "vitest";

import { decidePath, originAllowed } from "../src/lib/audience";
import { buildCsp } from "../src/lib/csp";
import { safeNext, tokenFromHash } from "../src/lib/navigation";

describe("decidePath", () => {
  it("keeps console pages off the portal and portal pages off the console", () => {
    expect(decidePath("portal", "/console/customers")).toBe("not_found");
    expect(decidePath("console", "/sites")).toBe("not_found");
    expect(decidePath("console", "/sign-up")).toBe("not_found");
    expect(decidePath("console", "/")).toEqual({ redirect: "/console" });
    expect(decidePath("portal", "/sites/abc")).toBe("allow");
    expect(decidePath("console", "/console/audit")).toBe("allow");
  });

  it("serves the mail-link pages on both", () => {
    for (const path of ["/sign-in", "/reset-password", "/accept-invitation", "/offline"]) {
      expect(decidePath("portal", path)).toBe("allow");
      expect(decidePath("console", path)).toBe("allow");
    }
  });

  it("lets each audience reach only its API areas", () => {
    expect(decidePath("portal", "/api/v1/staff/customers")).toBe("not_found");
    expect(decidePath("portal", "/api/v1/admin/audit")).toBe("not_found");
    expect(decidePath("console", "/api/v1/me")).toBe("not_found");
    expect(decidePath("console", "/api/v1/sites")).toBe("not_found");
    expect(decidePath("portal", "/api/v1/me/export")).toBe("allow");
    expect(decidePath("console", "/api/v1/admin/audit")).toBe("allow");
    expect(decidePath("portal", "/api/v1/auth/login")).toBe("allow");
    expect(decidePath("portal", "/api/openapi.json")).toBe("not_found");
    expect(decidePath("portal", "/api/v1/orders/abc/deposit")).toBe("allow");
    expect(decidePath("portal", "/api/v1/leads")).toBe("allow");
    expect(decidePath("console", "/api/v1/orders")).toBe("not_found");
    expect(decidePath("portal", "/api/v1/staff/orders")).toBe("not_found");
    expect(decidePath("portal", "/api/v1/webhooks/payments")).toBe("not_found");
    expect(decidePath("portal", "/api/v1/documents/abc")).toBe("allow");
    expect(decidePath("portal", "/api/v1/sites/abc/documents")).toBe("allow");
    expect(decidePath("console", "/api/v1/documents")).toBe("not_found");
  });
});

describe("originAllowed", () => {
  const own = "http://portal.localhost:18400";
  it("refuses unsafe requests from any other origin, including the console's", () => {
    expect(originAllowed("POST", own, own)).toBe(true);
    expect(originAllowed("POST", "http://console.localhost:18401", own)).toBe(false);
    expect(originAllowed("DELETE", null, own)).toBe(false);
    expect(originAllowed("GET", "http://evil.example", own)).toBe(true);
  });
});

describe("buildCsp", () => {
  it("has no unsafe script source in production and requires Trusted Types", () => {
    const csp = buildCsp({ nonce: "abc", development: false, https: true });
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("require-trusted-types-for 'script'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("upgrade-insecure-requests");
  });

  it("adds eval only for next dev, and no upgrade over plain-http localhost", () => {
    const dev = buildCsp({ nonce: "n", development: true, https: false });
    expect(dev).toContain("'unsafe-eval'");
    expect(dev).not.toContain("upgrade-insecure-requests");
  });
});

describe("safeNext", () => {
  it("only follows paths on this origin", () => {
    expect(safeNext("/sites", "/")).toBe("/sites");
    expect(safeNext("//evil.example/x", "/")).toBe("/");
    expect(safeNext("/\\evil.example", "/")).toBe("/");
    expect(safeNext("https://evil.example", "/")).toBe("/");
    expect(safeNext(undefined, "/console")).toBe("/console");
  });
});

describe("tokenFromHash", () => {
  it("reads a well-formed token and refuses anything else", () => {
    expect(tokenFromHash("#token=abcDEF0123456789_-xyz")).toBe("abcDEF0123456789_-xyz");
    expect(tokenFromHash("#token=short")).toBeNull();
    expect(tokenFromHash("#token=<script>alert(1)</script>")).toBeNull();
    expect(tokenFromHash("")).toBeNull();
  });
});
