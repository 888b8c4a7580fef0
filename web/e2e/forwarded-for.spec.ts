import http from "node:http";

import { asvs, expect, test } from "./fixtures";

import { direct, stack } from "./helpers";

interface Answer {
  status: number;
  code: string | undefined;
}

/**
 * A failed sign-in through the portal's relay, sent from `from` (any 127.0.0.0/8 address
 * is this machine), optionally claiming another address in X-Forwarded-For.
 */
function failedSignIn(from: string, claimed?: string): Promise<Answer> {
  const portal = direct(stack().portalUrl);
  const body = JSON.stringify({ email: `nobody.${Math.random()}@example.org`, password: "not the right password" });
  const url = new URL(`${portal.url}/api/v1/auth/login`);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress: from,
        headers: {
          Host: portal.host,
          Origin: stack().portalUrl,
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(body),
          ...(claimed ? { "X-Forwarded-For": claimed } : {}),
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => {
          const parsed = JSON.parse(text) as { error?: { code?: string } };
          resolve({ status: response.statusCode ?? 0, code: parsed.error?.code });
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

// The API demands proof of work after 5 failed sign-ins from one address within the hour
// (AuthPolicy.pow_after_address_failures), counted on the address the web server saw.
test("two client addresses behind the web server are limited separately, whatever they claim", asvs("V4.1.3", "V6.3.1"), async () => {
  const [noisy, quiet] = ["127.0.0.2", "127.0.0.3"];
  for (let i = 0; i < 5; i++) {
    // Claiming another address does not move the failures away from the sender.
    expect(await failedSignIn(noisy, `198.51.100.${i + 1}`)).toEqual({ status: 401, code: "invalid_credentials" });
  }
  expect(await failedSignIn(noisy)).toEqual({ status: 403, code: "pow_required" });
  expect(await failedSignIn(noisy, "203.0.113.7")).toEqual({ status: 403, code: "pow_required" });
  // Another address, even one claiming to be the limited one, is not limited.
  expect(await failedSignIn(quiet)).toEqual({ status: 401, code: "invalid_credentials" });
  expect(await failedSignIn(quiet, noisy)).toEqual({ status: 401, code: "invalid_credentials" });
});
