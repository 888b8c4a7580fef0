import { describe, expect, it } from "vitest";

import { forwardedFor, plainAddress, trustedProxies } from "../scripts/forwarded-for.mjs";

describe("forwardedFor", () => {
  const none = trustedProxies("");

  it("replaces whatever a browser sent with the socket's address", () => {
    expect(forwardedFor("203.0.113.9", "127.0.0.2", none)).toBe("127.0.0.2");
    expect(forwardedFor(["203.0.113.9", "198.51.100.1"], "127.0.0.2", none)).toBe("127.0.0.2");
    expect(forwardedFor(undefined, "::ffff:127.0.0.3", none)).toBe("127.0.0.3");
  });

  it("appends the peer to the chain of a trusted proxy only", () => {
    const trusted = trustedProxies("10.0.0.0/8, 192.0.2.7");
    expect(forwardedFor("203.0.113.9", "10.1.2.3", trusted)).toBe("203.0.113.9, 10.1.2.3");
    expect(forwardedFor("203.0.113.9", "192.0.2.7", trusted)).toBe("203.0.113.9, 192.0.2.7");
    expect(forwardedFor("203.0.113.9", "192.0.2.8", trusted)).toBe("192.0.2.8");
    expect(forwardedFor(undefined, "10.1.2.3", trusted)).toBe("10.1.2.3");
  });

  it("refuses a trusted-proxy setting that is not an address or network", () => {
    expect(() => trustedProxies("example.org")).toThrow(/not an address/);
    expect(() => trustedProxies("10.0.0.0/33")).toThrow(/prefix/);
  });

  it("reads IPv4-mapped IPv6 peers as IPv4 and leaves IPv6 alone", () => {
    expect(plainAddress("::ffff:198.51.100.4")).toBe("198.51.100.4");
    expect(plainAddress("2001:db8::1")).toBe("2001:db8::1");
  });
});
