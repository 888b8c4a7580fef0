import { describe, expect, it } from "vitest";

import { checkScriptUrl } from "../src/lib/trusted-types";

describe("checkScriptUrl", () => {
  const origin = "http://portal.localhost:18400";
  it("allows only our service worker and bundled scripts, and leaves their URL as given", () => {
    expect(checkScriptUrl("/sw.js", origin)).toBe("/sw.js");
    expect(checkScriptUrl("/_next/static/chunks/36xteia4j944o.js", origin)).toBe("/_next/static/chunks/36xteia4j944o.js");
    expect(checkScriptUrl(`${origin}/_next/static/media/pow.worker.0a1b.js`, origin)).toBe(
      `${origin}/_next/static/media/pow.worker.0a1b.js`,
    );
  });

  it("refuses other origins, data and blob URLs, and other paths", () => {
    expect(() => checkScriptUrl("https://evil.example/x.js", origin)).toThrow();
    expect(() => checkScriptUrl("data:text/javascript,alert(1)", origin)).toThrow();
    expect(() => checkScriptUrl("blob:http://portal.localhost:18400/1", origin)).toThrow();
    expect(() => checkScriptUrl("/api/v1/me", origin)).toThrow();
    expect(() => checkScriptUrl("/sw.js?x=1", origin)).toThrow();
    expect(() => checkScriptUrl("/sw.js#params=[]", origin)).toThrow();
    expect(() => checkScriptUrl("/_next/static/chunks/turbopack-worker-1h.js?params=[]", origin)).toThrow();
  });

  it("lets the bundler start its worker bootstrap with the chunk list in the fragment", () => {
    const url = `${origin}/_next/static/chunks/turbopack-worker-1hrsqshz0gfey.js#params=%5B%5B%22static%2Fchunks%2Fa.js%22%5D%5D`;
    expect(checkScriptUrl(url, origin)).toBe(url);
    expect(() => checkScriptUrl(`${origin}/_next/static/chunks/turbopack-worker-1h.js#other`, origin)).toThrow();
  });
});
