import { ApiError, leadingZeroBits, POW_HEADER } from "@helio/api-client";
import { sha256 } from "@noble/hashes/sha2.js";

import { Session } from "../src/api/session";
import { memoryTokenStore } from "../src/security/tokenStore";
import { type Call, envelope, fakeFetch, json } from "./fakeApi";

const BASE = "http://api.test";
const pair = (n: number) => ({ access_token: `access-${n}`, token_type: "Bearer", expires_in: 300, refresh_token: `refresh-${n}` });

function tokenApi(extra: (call: Call) => Response | undefined = () => undefined) {
  let issued = 0;
  const spent = new Set<string>();
  const live = new Set<string>();
  const fake = fakeFetch((call) => {
    const answer = extra(call);
    if (answer) return answer;
    if (call.url === "/api/v1/auth/token") {
      const body = call.body as Record<string, string>;
      if (body.grant_type === "password") {
        return body.password === "right password"
          ? json(200, { mfa_required: true, mfa_token: "mfa-1", mfa_methods: ["totp", "recovery_code"] })
          : envelope(401, "invalid_credentials", "Wrong email or password.");
      }
      if (body.grant_type === "mfa") {
        if (body.code !== "123456" && body.code !== "abcd-efgh-ijkl") return envelope(401, "invalid_code");
        issued += 1;
        live.add(`access-${issued}`);
        return json(200, pair(issued));
      }
      if (body.grant_type === "refresh_token") {
        const token = body.refresh_token ?? "";
        if (spent.has(token) || !token.startsWith("refresh-")) return envelope(401, "invalid_token");
        spent.add(token);
        issued += 1;
        live.add(`access-${issued}`);
        return json(200, pair(issued));
      }
    }
    if (call.url === "/api/v1/quotes") {
      const token = (call.headers.authorization ?? "").replace("Bearer ", "");
      return live.has(token) ? json(200, { items: [], next_cursor: null }) : envelope(401, "unauthenticated");
    }
    return envelope(404, "not_found");
  });
  return { ...fake, expire: () => live.clear(), spent };
}

describe("Session (token API)", () => {
  it("signs in with password then TOTP; the access token stays in memory, the refresh token goes to the store", async () => {
    const api = tokenApi();
    const store = memoryTokenStore();
    const session = new Session(BASE, store, api.fetchImpl);
    expect(await session.signIn("ann@example.com", "right password")).toEqual({ kind: "mfa", methods: ["totp", "recovery_code"] });
    expect(session.signedIn).toBe(false);
    await session.verifyMfa(" 123456 ");
    expect(session.signedIn).toBe(true);
    expect(await store.getRefreshToken()).toBe("refresh-1");
    expect(api.calls[1]?.body).toEqual({ grant_type: "mfa", mfa_token: "mfa-1", code: "123456" });
  });

  it("accepts a recovery code as the second step", async () => {
    const session = new Session(BASE, memoryTokenStore(), tokenApi().fetchImpl);
    await session.signIn("ann@example.com", "right password");
    await session.verifyMfa("abcd-efgh-ijkl");
    expect(session.signedIn).toBe(true);
  });

  it("refuses a wrong password with the API's sentence and stores nothing", async () => {
    const store = memoryTokenStore();
    const session = new Session(BASE, store, tokenApi().fetchImpl);
    await expect(session.signIn("ann@example.com", "wrong")).rejects.toBeInstanceOf(ApiError);
    expect(await store.getRefreshToken()).toBeNull();
  });

  it("refuses a second step without a first", async () => {
    const session = new Session(BASE, memoryTokenStore(), tokenApi().fetchImpl);
    await expect(session.verifyMfa("123456")).rejects.toThrow(/second factor/);
  });

  it("sends the bearer token, and on 401 rotates the refresh token once and retries", async () => {
    const api = tokenApi();
    const store = memoryTokenStore();
    const session = new Session(BASE, store, api.fetchImpl);
    await session.signIn("ann@example.com", "right password");
    await session.verifyMfa("123456");
    const first = await session.client.GET("/api/v1/quotes");
    expect(first.response.status).toBe(200);
    expect(api.calls.at(-1)?.headers.authorization).toBe("Bearer access-1");
    api.expire();
    const second = await session.client.GET("/api/v1/quotes");
    expect(second.response.status).toBe(200);
    expect(await store.getRefreshToken()).toBe("refresh-2");
    expect(api.spent.has("refresh-1")).toBe(true);
    expect(api.calls.at(-1)?.headers.authorization).toBe("Bearer access-2");
  });

  it("refreshes once for concurrent 401s (a second use of the same refresh token would revoke the family)", async () => {
    const api = tokenApi();
    const store = memoryTokenStore();
    await store.setRefreshToken("refresh-0");
    const session = new Session(BASE, store, api.fetchImpl);
    const answers = await Promise.all([session.client.GET("/api/v1/quotes"), session.client.GET("/api/v1/quotes"), session.client.GET("/api/v1/quotes")]);
    expect(answers.map((a) => a.response.status)).toEqual([200, 200, 200]);
    expect(api.calls.filter((c) => c.url === "/api/v1/auth/token")).toHaveLength(1);
  });

  it("forgets the tokens when the API refuses the refresh token (reused or revoked)", async () => {
    const api = tokenApi();
    const store = memoryTokenStore();
    await store.setRefreshToken("stolen");
    const session = new Session(BASE, store, api.fetchImpl);
    const answer = await session.client.GET("/api/v1/quotes");
    expect(answer.response.status).toBe(401);
    expect(await store.getRefreshToken()).toBeNull();
    expect(session.signedIn).toBe(false);
  });

  it("keeps the refresh token when the network fails (no sign-out on a bad connection)", async () => {
    const store = memoryTokenStore();
    await store.setRefreshToken("refresh-0");
    const session = new Session(BASE, store, async () => {
      throw new TypeError("network down");
    });
    expect(await session.refresh()).toBe(false);
    expect(await store.getRefreshToken()).toBe("refresh-0");
  });

  it("solves a proof-of-work challenge when the API asks for one, and sends it once", async () => {
    let asked = false;
    const api = tokenApi((call) => {
      if (call.url === "/api/v1/auth/challenge") return json(200, { challenge: "c-1", difficulty_bits: 6, expires_at: 0 });
      if (call.url === "/api/v1/auth/token" && !call.headers[POW_HEADER.toLowerCase()] && !asked) {
        asked = true;
        return envelope(429, "pow_required");
      }
      return undefined;
    });
    const session = new Session(BASE, memoryTokenStore(), api.fetchImpl);
    await session.signIn("ann@example.com", "right password");
    const retried = api.calls.at(-1);
    const solution = retried?.headers[POW_HEADER.toLowerCase()] ?? "";
    expect(solution.startsWith("c-1:")).toBe(true);
    expect(leadingZeroBits(sha256(new TextEncoder().encode(solution)))).toBeGreaterThanOrEqual(6);
  });

  it("signs out: calls the API with the bearer token and clears the store", async () => {
    const api = tokenApi((call) => (call.url === "/api/v1/auth/logout" ? new Response(null, { status: 204 }) : undefined));
    const store = memoryTokenStore();
    const session = new Session(BASE, store, api.fetchImpl);
    await session.signIn("ann@example.com", "right password");
    await session.verifyMfa("123456");
    await session.signOut();
    expect(api.calls.at(-1)).toMatchObject({ method: "POST", url: "/api/v1/auth/logout", headers: { authorization: "Bearer access-1" } });
    expect(await store.getRefreshToken()).toBeNull();
    expect(session.signedIn).toBe(false);
  });

  it("lock drops the access token but keeps the refresh token for the biometric unlock", async () => {
    const store = memoryTokenStore();
    const session = new Session(BASE, store, tokenApi().fetchImpl);
    await session.signIn("ann@example.com", "right password");
    await session.verifyMfa("123456");
    session.lock();
    expect(session.signedIn).toBe(false);
    expect(await session.hasStoredSession()).toBe(true);
    expect(await session.refresh()).toBe(true);
    expect(await store.getRefreshToken()).toBe("refresh-2");
  });
});
