import { describe, expect, it } from "vitest";

import { ApiError, fieldErrors } from "../src/errors";
import { unwrap } from "../src/unwrap";

async function rejected(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (thrown) {
    if (thrown instanceof ApiError) return thrown;
    throw thrown;
  }
  throw new Error("the call resolved");
}

function answer(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

describe("unwrap", () => {
  it("returns the data of a success", async () => {
    const data = await unwrap(Promise.resolve({ data: { id: "s1" }, response: answer(200) }));
    expect(data).toEqual({ id: "s1" });
  });

  it("returns undefined for 204", async () => {
    await expect(unwrap(Promise.resolve({ response: answer(204) }))).resolves.toBeUndefined();
  });

  it("turns the error envelope into a typed error with the request id", async () => {
    const error = {
      error: { code: "not_found", message: "Not found.", request_id: "req-123456" },
    };
    const thrown = await rejected(unwrap(Promise.resolve({ error, response: answer(404) })));
    expect(thrown).toBeInstanceOf(ApiError);
    expect(thrown.status).toBe(404);
    expect(thrown.code).toBe("not_found");
    expect(thrown.requestId).toBe("req-123456");
    expect(thrown.withReference).toMatch(/could not find.*\(reference req-123456\)$/);
  });

  it("maps 422 field errors onto form field names", async () => {
    const error = {
      error: {
        code: "validation_failed",
        message: "The request is not valid.",
        request_id: "req-422",
        fields: { "address.city": "This field is required.", "query.limit": "Too big." },
      },
    };
    const thrown: ApiError = await rejected(unwrap(Promise.resolve({ error, response: answer(422) })));
    expect(thrown.fields).toEqual({ "address.city": "This field is required.", limit: "Too big." });
    expect(thrown.sentence).toBe("Some fields need attention.");
  });

  it("reads Retry-After of a 429 into the sentence", async () => {
    const error = { error: { code: "rate_limited", message: "Slow down", request_id: "r-1234567" } };
    const thrown: ApiError = await rejected(unwrap(
      Promise.resolve({ error, response: answer(429, { "Retry-After": "120" }) }),
    ));
    expect(thrown.retryAfterSeconds).toBe(120);
    expect(thrown.sentence).toBe("Too many attempts. Please try again in 2 minutes.");
  });

  it("keeps the server's own sentence for codes it words for people", async () => {
    const error = {
      error: { code: "email_not_verified", message: "Confirm your email first.", request_id: "r-abcdefgh" },
    };
    const thrown: ApiError = await rejected(unwrap(Promise.resolve({ error, response: answer(403) })));
    expect(thrown.sentence).toBe("Confirm your email first.");
  });

  it("never shows a non-envelope body, and takes the id from the header", async () => {
    const thrown: ApiError = await rejected(unwrap(
      Promise.resolve({ error: "<html>proxy</html>", response: answer(502, { "X-Request-ID": "hdr-12345678" }) }),
    ));
    expect(thrown.code).toBe("internal_error");
    expect(thrown.requestId).toBe("hdr-12345678");
    expect(thrown.sentence).not.toContain("html");
  });

  it("turns a failed fetch into a network error", async () => {
    const thrown: ApiError = await rejected(unwrap(Promise.reject(new TypeError("fetch failed"))));
    expect(thrown.code).toBe("network_error");
    expect(thrown.requestId).toBeNull();
  });
});

describe("fieldErrors", () => {
  it("is empty without fields", () => {
    expect(fieldErrors(undefined)).toEqual({});
  });
});
