import { afterEach, describe, expect, it } from "vitest";

import { audienceForHost, webConfig, type WebConfig } from "../src/lib/config";

const both: WebConfig = {
  fixedAudience: null,
  portalUrl: "https://app.helio.example",
  consoleUrl: "https://console.helio.example",
  apiUrl: "https://api.internal:8443",
  development: false,
};

describe("audienceForHost", () => {
  it("serves both audiences from one server by the Host header", () => {
    expect(audienceForHost(both, "app.helio.example")).toBe("portal");
    expect(audienceForHost(both, "console.helio.example")).toBe("console");
  });

  it("answers no other host name (DNS rebinding, a probe by address, a missing header)", () => {
    expect(audienceForHost(both, "evil.example")).toBeNull();
    expect(audienceForHost(both, "10.0.3.7:8443")).toBeNull();
    expect(audienceForHost(both, "app.helio.example:444")).toBeNull();
    expect(audienceForHost(both, null)).toBeNull();
  });

  it("a server restricted to one audience refuses the other's host", () => {
    const portalOnly = { ...both, fixedAudience: "portal" as const };
    expect(audienceForHost(portalOnly, "app.helio.example")).toBe("portal");
    expect(audienceForHost(portalOnly, "console.helio.example")).toBeNull();
  });
});

describe("webConfig", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("reads the origins and the audience at run time", () => {
    process.env.HELIO_WEB_PORTAL_URL = "http://portal.localhost:18403/ignored/path";
    process.env.HELIO_WEB_AUDIENCE = "console";
    const config = webConfig();
    expect(config.portalUrl).toBe("http://portal.localhost:18403");
    expect(config.fixedAudience).toBe("console");
  });

  it("refuses an audience it does not know rather than guessing", () => {
    process.env.HELIO_WEB_AUDIENCE = "admin";
    expect(() => webConfig()).toThrow(/HELIO_WEB_AUDIENCE/);
  });
});
