import { describe, expect, it } from "vitest";

import { browserApi } from "../src/lib/browser-api";

describe("browserApi", () => {
  // Client components render on the server too: a page that creates the client during
  // render must not touch `window` (it was the server error page after signing in).
  it("can be created where there is no window", () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe("undefined");
    expect(() => browserApi()).not.toThrow();
  });
});
