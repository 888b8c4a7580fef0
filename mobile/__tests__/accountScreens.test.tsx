import { act, fireEvent, render, screen, within } from "@testing-library/react-native";
import * as ImagePicker from "expo-image-picker";
import { Linking } from "react-native";

import { Session } from "../src/api/session";
import { HelioApp } from "../src/HelioApp";
import { ProfileScreen } from "../src/screens/ProfileScreen";
import { RoofPhotoScreen } from "../src/screens/RoofPhotoScreen";
import { SignUpScreen } from "../src/screens/SignUpScreen";
import { VerifyEmailScreen } from "../src/screens/VerifyEmailScreen";
import { memoryTokenStore } from "../src/security/tokenStore";
import { type Call, envelope, fakeFetch, type Handler, json } from "./fakeApi";

jest.mock("expo-image-picker", () => ({
  requestCameraPermissionsAsync: jest.fn(),
  requestMediaLibraryPermissionsAsync: jest.fn(),
  launchCameraAsync: jest.fn(),
  launchImageLibraryAsync: jest.fn(),
}));
const picker = jest.mocked(ImagePicker);

const BASE = "http://api.test";
const SITE_ID = "0123456789abcdef0123456789abcdef";
const SITE = {
  id: SITE_ID, label: "Home", address: { line1: "1 Sun Street", city: "Leeds", postal_code: "LS1 1AA", country: "GB" }, latitude: 53.8,
  longitude: -1.55, timezone: "Europe/London", roof_planes: [{ area_m2: 30, tilt_deg: 35, azimuth_deg: 180, shading_loss_pct: 0 }],
  tariff: { price_per_kwh: "0.30", currency: "GBP", escalation_pct: "2.5" }, usage: null, created_at: "2026-12-01T10:00:00Z", updated_at: null,
};
const QUOTE = {
  id: "q9", site_id: SITE_ID, status: "issued", model_version: "m1", inputs_digest: "d", system_kwp: 4.2, net_price: "7100.00", currency: "GBP",
  created_at: "2026-12-06T10:00:00Z", valid_until: "2027-01-05T10:00:00Z", expired: false, inputs: {},
  result: { annual_production_kwh: 3900, monthly_production_kwh: [100, 150, 300, 400, 500, 550, 550, 450, 350, 250, 150, 150] },
};
const MONTHLY = [400, 380, 350, 300, 260, 240, 250, 260, 290, 330, 370, 410];

const bodyOf = (call: Call) => call.body as Record<string, unknown>;
const tokens = (n: number) => ({ access_token: `a${n}`, token_type: "Bearer", expires_in: 300, refresh_token: `r${n}` });

/** The token API plus whatever the test adds; a signed-in session comes from a TOTP sign-in. */
function api(extra: Handler = () => envelope(404, "not_found")) {
  let issued = 0;
  return fakeFetch((call) => {
    if (call.url === "/api/v1/app/config") return json(200, { min_mobile_version: "1.0.0" });
    if (call.url === "/api/v1/auth/token") {
      const body = call.body as Record<string, string>;
      if (body.grant_type === "password") return json(200, { mfa_required: true, mfa_token: "m", mfa_methods: ["totp"] });
      issued += 1;
      return json(200, tokens(issued));
    }
    if (call.url === "/api/v1/quotes" && call.method === "GET") return json(200, { items: [], next_cursor: null });
    if (call.url === "/api/v1/orders") return json(200, { items: [], next_cursor: null });
    return extra(call);
  });
}

async function signedInApp(fetchImpl: typeof fetch, store = memoryTokenStore()) {
  const session = new Session(BASE, store, fetchImpl);
  await render(<HelioApp session={session} unlock={async () => "unlocked"} appVersion="1.0.0" />);
  await fireEvent.changeText(await screen.findByTestId("email"), "ann@example.com");
  await fireEvent.changeText(screen.getByTestId("password"), "pw");
  await fireEvent.press(screen.getByTestId("sign-in"));
  await fireEvent.changeText(await screen.findByTestId("mfa-code"), "123456");
  await fireEvent.press(screen.getByTestId("mfa-submit"));
  await screen.findByText("Your solar projects");
  return session;
}

afterEach(() => jest.restoreAllMocks());

describe("sign-up and email verification", () => {
  it("solves the proof of work the API asks for, then says a mail is on its way without saying whether the address is known", async () => {
    const { fetchImpl, calls } = api((call) => {
      if (call.url === "/api/v1/auth/challenge") return json(200, { challenge: "c-1", difficulty_bits: 4, expires_at: 0 });
      if (call.url === "/api/v1/auth/register") {
        return call.headers["x-pow-solution"] ? new Response(null, { status: 202 }) : envelope(403, "pow_required", "Proof of work required.");
      }
      return envelope(404, "not_found");
    });
    await render(<SignUpScreen session={new Session(BASE, memoryTokenStore(), fetchImpl)} onSignIn={() => undefined} onVerify={() => undefined} />);
    await fireEvent.changeText(screen.getByTestId("full-name"), "Ann Lee");
    await fireEvent.changeText(screen.getByTestId("email"), " ann@example.com ");
    await fireEvent.changeText(screen.getByTestId("password"), "correct horse battery staple");
    await fireEvent.press(screen.getByTestId("sign-up"));
    const sent = await screen.findByTestId("sign-up-sent");
    expect(sent).toHaveTextContent(/If this address can get a new account, a mail/);
    expect(sent).not.toHaveTextContent(/already|exists|registered/i);
    const registers = calls.filter((c) => c.url === "/api/v1/auth/register");
    expect(registers).toHaveLength(2);
    expect(registers[1]?.headers["x-pow-solution"]).toMatch(/.+/);
    expect(bodyOf(registers[1]!)).toEqual({ full_name: "Ann Lee", email: "ann@example.com", password: "correct horse battery staple" });
    expect(calls.find((c) => c.url === "/api/v1/auth/challenge")?.search).toBe("?scope=register");
  });

  it("shows the API's reason with its reference, and the field it refuses", async () => {
    let answer = envelope(429, "rate_limited");
    const { fetchImpl } = api((call) => (call.url === "/api/v1/auth/register" ? answer : envelope(404, "not_found")));
    await render(<SignUpScreen session={new Session(BASE, memoryTokenStore(), fetchImpl)} onSignIn={() => undefined} onVerify={() => undefined} />);
    await fireEvent.changeText(screen.getByTestId("full-name"), "Ann Lee");
    await fireEvent.changeText(screen.getByTestId("email"), "ann@example.com");
    await fireEvent.changeText(screen.getByTestId("password"), "short");
    await fireEvent.press(screen.getByTestId("sign-up"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Too many attempts. Please wait a moment and try again. (reference req-1)");
    answer = json(422, { error: { code: "validation_failed", message: "Invalid input.", request_id: "req-2", fields: { password: "Use at least 12 characters." } } });
    await fireEvent.press(screen.getByTestId("sign-up"));
    expect(await screen.findByTestId("password-error")).toHaveTextContent("Use at least 12 characters.");
    expect(screen.getByRole("alert")).toHaveTextContent(/\(reference req-2\)$/);
    expect(screen.queryByTestId("sign-up-sent")).toBeNull();
  });

  it("confirms the address from the link pasted whole, and shows a refused token with its reference", async () => {
    const { fetchImpl, calls } = api((call) => {
      if (call.url !== "/api/v1/auth/verify-email") return envelope(404, "not_found");
      return bodyOf(call).token === "tok-123" ? new Response(null, { status: 204 }) : envelope(400, "invalid_token", "This link has expired or was already used.");
    });
    await render(<VerifyEmailScreen session={new Session(BASE, memoryTokenStore(), fetchImpl)} onSignIn={() => undefined} />);
    await fireEvent.changeText(screen.getByTestId("verify-token"), "old-token");
    await fireEvent.press(screen.getByTestId("verify-submit"));
    expect(await screen.findByRole("alert")).toHaveTextContent("This link has expired or was already used. (reference req-1)");
    await fireEvent.changeText(screen.getByTestId("verify-token"), " https://helio.example/verify-email#token=tok-123 ");
    await fireEvent.press(screen.getByTestId("verify-submit"));
    expect(await screen.findByTestId("verify-done")).toHaveTextContent(/^Your email address is confirmed\./);
    expect(calls.filter((c) => c.url === "/api/v1/auth/verify-email").map((c) => bodyOf(c).token)).toEqual(["old-token", "tok-123"]);
  });

  it("a confirmation link opened with the app confirms straight away; sign-in leads to sign-up and back", async () => {
    jest.spyOn(Linking, "getInitialURL").mockResolvedValueOnce("helio://verify-email#token=tok-9");
    const { fetchImpl, calls } = api((call) => (call.url === "/api/v1/auth/verify-email" ? new Response(null, { status: 204 }) : envelope(404, "not_found")));
    await render(<HelioApp session={new Session(BASE, memoryTokenStore(), fetchImpl)} unlock={async () => "unlocked"} appVersion="1.0.0" />);
    expect(await screen.findByTestId("verify-done")).toBeOnTheScreen();
    expect(calls.find((c) => c.url === "/api/v1/auth/verify-email")?.body).toEqual({ token: "tok-9" });
    await fireEvent.press(screen.getByTestId("go-sign-in"));
    await fireEvent.press(await screen.findByTestId("go-sign-up"));
    expect(await screen.findByText("Create your Helio account")).toBeOnTheScreen();
    await fireEvent.press(screen.getByTestId("go-sign-in"));
    expect(await screen.findByText("Sign in to Helio")).toBeOnTheScreen();
  });
});

describe("homes, usage and quotes", () => {
  it("adds a home, enters twelve months of usage and gets a quote from it", async () => {
    let site: Record<string, unknown> | null = null;
    const { fetchImpl, calls } = api((call) => {
      if (call.url === "/api/v1/sites" && call.method === "GET") return json(200, { items: site ? [site] : [], next_cursor: null });
      if (call.url === "/api/v1/sites" && call.method === "POST") {
        const body = bodyOf(call);
        if ((body.address as { country: string }).country !== "GB") {
          return json(422, { error: { code: "validation_failed", message: "Invalid input.", request_id: "req-7", fields: { "address.country": "Use a two-letter country code." } } });
        }
        site = { ...SITE, ...body, id: SITE_ID };
        return json(201, site);
      }
      if (call.url === `/api/v1/sites/${SITE_ID}`) return json(200, site);
      if (call.url === `/api/v1/sites/${SITE_ID}/usage`) {
        const usage = { source: "manual", monthly_kwh: bodyOf(call).monthly_kwh, annual_kwh: (bodyOf(call).monthly_kwh as number[]).reduce((a, b) => a + b, 0), has_hourly_profile: false, updated_at: "2026-12-06T10:00:00Z" };
        site = { ...site, usage };
        return json(200, usage);
      }
      if (call.url === "/api/v1/quotes" && call.method === "POST") return json(201, QUOTE);
      if (call.url === "/api/v1/quotes/q9") return json(200, QUOTE);
      return envelope(404, "not_found");
    });
    await signedInApp(fetchImpl);
    await fireEvent.press(screen.getByTestId("go-sites"));
    expect(await screen.findByText("No homes yet: add one to get a quote.")).toBeOnTheScreen();
    await fireEvent.press(screen.getByTestId("add-site"));
    const type = async (id: string, value: string) => fireEvent.changeText(await screen.findByTestId(id), value);
    await type("site-line1", "1 Sun Street");
    await type("site-city", "Leeds");
    await type("site-postal-code", "LS1 1AA");
    await type("site-country", "UK");
    await type("site-latitude", "53,8");
    await type("site-longitude", "west");
    await type("site-timezone", "Europe/London");
    await type("plane-0-area", "30");
    await type("plane-0-tilt", "35");
    await type("site-price", "0.30");
    await type("site-currency", "gbp");
    await fireEvent.press(screen.getByTestId("site-save"));
    // A figure that is not a number is caught before anything is sent.
    expect(await screen.findByTestId("site-longitude-error")).toHaveTextContent("Enter a number.");
    expect(calls.some((c) => c.url === "/api/v1/sites" && c.method === "POST")).toBe(false);
    await type("site-longitude", "-1.55");
    await fireEvent.press(screen.getByTestId("site-save"));
    expect(await screen.findByTestId("site-country-error")).toHaveTextContent("Use a two-letter country code.");
    expect(screen.getByRole("alert")).toHaveTextContent(/\(reference req-7\)$/);
    await type("site-country", "gb");
    await fireEvent.press(screen.getByTestId("add-plane"));
    await type("plane-1-area", "12");
    await type("plane-1-tilt", "20");
    await type("plane-1-azimuth", "90");
    await fireEvent.press(screen.getByTestId("site-save"));

    expect(await screen.findByText("Monthly usage")).toBeOnTheScreen();
    const created = calls.filter((c) => c.url === "/api/v1/sites" && c.method === "POST").at(-1)!;
    expect(bodyOf(created)).toMatchObject({
      latitude: 53.8,
      longitude: -1.55,
      address: { country: "GB", line1: "1 Sun Street" },
      tariff: { price_per_kwh: 0.3, currency: "GBP", escalation_pct: 2.5 },
      roof_planes: [
        { area_m2: 30, tilt_deg: 35, azimuth_deg: 180, shading_loss_pct: 0 },
        { area_m2: 12, tilt_deg: 20, azimuth_deg: 90, shading_loss_pct: 0 },
      ],
    });
    for (const [i, kwh] of MONTHLY.entries()) await type(`month-${i}`, String(kwh));
    expect(screen.getByTestId("usage-total")).toHaveTextContent("3840 kWh a year");
    await fireEvent.press(screen.getByTestId("usage-save"));
    expect(await screen.findByText("3840 kWh a year · 2 roof planes")).toBeOnTheScreen();
    expect(bodyOf(calls.find((c) => c.method === "PUT")!)).toEqual({ monthly_kwh: MONTHLY });

    await fireEvent.press(screen.getByTestId(`get-quote-${SITE_ID}`));
    expect(await screen.findByTestId("quote-price")).toHaveTextContent("7100.00 GBP");
    expect(bodyOf(calls.find((c) => c.url === "/api/v1/quotes" && c.method === "POST")!)).toEqual({ site_id: SITE_ID });
  });

  it("a missing month is caught before sending, and a refused quote shows the API's reason", async () => {
    const { fetchImpl, calls } = api((call) => {
      if (call.url === "/api/v1/sites") return json(200, { items: [SITE], next_cursor: null });
      if (call.url === `/api/v1/sites/${SITE_ID}`) return json(200, SITE);
      if (call.url === "/api/v1/quotes") return envelope(422, "usage_missing", "Enter the site's monthly usage before asking for a quote.");
      return envelope(404, "not_found");
    });
    await signedInApp(fetchImpl);
    await fireEvent.press(screen.getByTestId("go-sites"));
    await fireEvent.press(await screen.findByTestId(`get-quote-${SITE_ID}`));
    expect(await screen.findByRole("alert")).toHaveTextContent("Enter the site's monthly usage before asking for a quote. (reference req-1)");
    await fireEvent.press(screen.getByTestId(`usage-${SITE_ID}`));
    for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) await fireEvent.changeText(await screen.findByTestId(`month-${i}`), "100");
    await fireEvent.press(screen.getByTestId("usage-save"));
    expect(await screen.findByTestId("month-11-error")).toHaveTextContent(/^Enter the kWh of this month/);
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
  });
});

describe("roof photo", () => {
  const asset = { uri: "file:///photos/roof.jpg", width: 800, height: 600, fileName: "roof.jpg", mimeType: "image/jpeg", fileSize: 120_000 };
  const granted = { granted: true, status: "granted", canAskAgain: true, expires: "never" } as never;

  it("uploads a photo from the library as multipart, and shows the server's refusal with its reference", async () => {
    picker.requestMediaLibraryPermissionsAsync.mockResolvedValue(granted);
    picker.launchImageLibraryAsync.mockResolvedValue({ canceled: false, assets: [asset] } as never);
    let refuse = true;
    const { fetchImpl, calls } = api((call) => {
      if (call.url !== `/api/v1/sites/${SITE_ID}/documents`) return envelope(404, "not_found");
      if (refuse) return envelope(415, "unsupported_file", "That file is not a roof photo (JPEG or PNG) or a bill (PDF).");
      return json(201, { id: "d1", kind: "photo", media_type: "image/jpeg", size: 120000, site_id: SITE_ID, order_id: null, file_name: "roof.jpg", scan: "clean", created_at: "2026-12-06T10:00:00Z" });
    });
    const store = memoryTokenStore();
    await store.setRefreshToken("r0");
    await render(<RoofPhotoScreen session={new Session(BASE, store, fetchImpl)} siteId={SITE_ID} back={() => undefined} />);
    await fireEvent.press(screen.getByTestId("photo-library"));
    expect(await screen.findByRole("alert")).toHaveTextContent("That file is not a roof photo (JPEG or PNG) or a bill (PDF). (reference req-1)");
    const upload = calls.filter((c) => c.url === `/api/v1/sites/${SITE_ID}/documents`).at(-1)!;
    expect(upload.method).toBe("POST");
    expect(upload.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(String(upload.body)).toMatch(/name="file"/);
    refuse = false;
    await fireEvent.press(screen.getByTestId("photo-library"));
    expect(await screen.findByTestId("photo-saved")).toHaveTextContent("Roof photo saved.");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(picker.launchImageLibraryAsync).toHaveBeenCalledWith(expect.objectContaining({ mediaTypes: ["images"], exif: false }));
  });

  it("without camera permission nothing is taken or sent; a photo over 10 MB is not sent", async () => {
    picker.requestCameraPermissionsAsync.mockResolvedValueOnce({ granted: false, status: "denied", canAskAgain: true, expires: "never" } as never);
    const { fetchImpl, calls } = api();
    await render(<RoofPhotoScreen session={new Session(BASE, memoryTokenStore(), fetchImpl)} siteId={SITE_ID} back={() => undefined} />);
    await fireEvent.press(screen.getByTestId("photo-camera"));
    expect(await screen.findByRole("alert")).toHaveTextContent(/^Helio may not use the camera/);
    expect(picker.launchCameraAsync).not.toHaveBeenCalled();
    picker.requestCameraPermissionsAsync.mockResolvedValueOnce(granted);
    picker.launchCameraAsync.mockResolvedValueOnce({ canceled: false, assets: [{ ...asset, fileSize: 11 * 1024 * 1024 }] } as never);
    await fireEvent.press(screen.getByTestId("photo-camera"));
    expect(await screen.findByText("That photo is larger than 10 MB: choose a smaller one.")).toBeOnTheScreen();
    expect(calls.some((c) => c.url.endsWith("/documents"))).toBe(false);
  });
});

describe("profile, devices and sign out everywhere", () => {
  const SESSIONS = [
    { id: "s-this", kind: "token", device: "Helio app on iPhone", network: "203.0.113.0/24", created_at: "2026-12-06T09:00:00Z", last_seen_at: "2026-12-06T10:00:00Z", expires_at: "2026-12-07T10:00:00Z", current: true },
    { id: "s-old", kind: "cookie", device: "Firefox on Linux", network: null, created_at: "2026-12-01T09:00:00Z", last_seen_at: "2026-12-02T10:00:00Z", expires_at: "2026-12-08T10:00:00Z", current: false },
  ];
  const PROFILE = { id: "c1", email: "ann@example.com", full_name: "Ann Lee", phone: null, address: null, marketing_consent: false, email_verified: true };

  it("edits name and phone, and ends another session after a step-up whose new tokens take over", async () => {
    let sessions = [...SESSIONS];
    let steppedUp = false;
    const { fetchImpl, calls } = api((call) => {
      if (call.url === "/api/v1/me" && call.method === "GET") return json(200, PROFILE);
      if (call.url === "/api/v1/me" && call.method === "PATCH") {
        const body = bodyOf(call);
        if (body.phone === "x") return json(422, { error: { code: "validation_failed", message: "Invalid input.", request_id: "req-3", fields: { phone: "Enter a phone number." } } });
        return json(200, { ...PROFILE, ...body });
      }
      if (call.url === "/api/v1/auth/mfa") return json(200, { totp: true, passkeys: [], recovery_codes_left: 8 });
      if (call.url === "/api/v1/auth/sessions") return json(200, { items: sessions, next_cursor: null });
      if (call.url === "/api/v1/auth/mfa/step-up") {
        if (bodyOf(call).code !== "654321") return envelope(400, "invalid_code", "That code is not right.");
        steppedUp = true;
        return json(200, { step_up_expires_at: "2026-12-06T10:05:00Z", recovery_codes: null, tokens: tokens(50) });
      }
      if (call.url === "/api/v1/auth/sessions/s-old") {
        if (!steppedUp || call.headers.authorization !== "Bearer a50") return envelope(403, "step_up_required", "Confirm your identity again (MFA step-up) to do this.");
        sessions = sessions.filter((s) => s.id !== "s-old");
        return new Response(null, { status: 204 });
      }
      return envelope(404, "not_found");
    });
    const store = memoryTokenStore();
    const session = await signedInApp(fetchImpl, store);
    await fireEvent.press(screen.getByTestId("go-profile"));
    expect(await screen.findByTestId("profile-email")).toHaveTextContent("ann@example.com (confirmed)");
    expect(await screen.findByText("Firefox on Linux")).toBeOnTheScreen();
    expect(screen.getByText("Helio app on iPhone · this device")).toBeOnTheScreen();

    await fireEvent.changeText(screen.getByTestId("profile-name"), " ");
    await fireEvent.press(screen.getByTestId("profile-save"));
    expect(await screen.findByTestId("profile-name-error")).toHaveTextContent("Enter your name.");
    expect(calls.some((c) => c.method === "PATCH")).toBe(false);
    await fireEvent.changeText(screen.getByTestId("profile-name"), "Ann Lee");
    await fireEvent.changeText(screen.getByTestId("profile-phone"), "x");
    await fireEvent.press(screen.getByTestId("profile-save"));
    expect(await screen.findByTestId("profile-phone-error")).toHaveTextContent("Enter a phone number.");
    await fireEvent.changeText(screen.getByTestId("profile-name"), " Ann B. Lee ");
    await fireEvent.changeText(screen.getByTestId("profile-phone"), "+44 113 496 0000");
    await fireEvent.press(screen.getByTestId("profile-save"));
    expect(await screen.findByTestId("profile-saved")).toHaveTextContent("Saved.");
    expect(bodyOf(calls.filter((c) => c.method === "PATCH").at(-1)!)).toEqual({ full_name: "Ann B. Lee", phone: "+44 113 496 0000" });

    await fireEvent.press(screen.getByTestId("revoke-s-old"));
    const stepUp = await screen.findByTestId("step-up");
    await fireEvent.changeText(within(stepUp).getByTestId("step-up-secret"), "111111");
    await fireEvent.press(within(stepUp).getByTestId("step-up-submit"));
    expect(await within(stepUp).findByRole("alert")).toHaveTextContent("That code is not right. (reference req-1)");
    expect(screen.getByText("Firefox on Linux")).toBeOnTheScreen();
    await fireEvent.changeText(within(stepUp).getByTestId("step-up-secret"), "654321");
    await fireEvent.press(within(stepUp).getByTestId("step-up-submit"));
    await act(async () => undefined);
    expect(screen.queryByTestId("step-up")).toBeNull();
    expect(await store.getRefreshToken()).toBe("r50");
    expect(session.signedIn).toBe(true);
    await screen.findByTestId("session-s-this");
    expect(screen.queryByText("Firefox on Linux")).toBeNull();
    expect(calls.filter((c) => c.url === "/api/v1/auth/sessions/s-old").map((c) => c.headers.authorization)).toEqual(["Bearer a1", "Bearer a50"]);
  });

  it("sign out everywhere ends the other sessions, then this one, and forgets the tokens here", async () => {
    const { fetchImpl, calls } = api((call) => {
      if (call.url === "/api/v1/me") return json(200, PROFILE);
      if (call.url === "/api/v1/auth/mfa") return json(200, { totp: true, passkeys: [], recovery_codes_left: 8 });
      if (call.url === "/api/v1/auth/sessions" && call.method === "GET") return json(200, { items: SESSIONS, next_cursor: null });
      if (call.url === "/api/v1/auth/sessions" && call.method === "DELETE") return new Response(null, { status: 204 });
      if (call.url === "/api/v1/auth/logout") return new Response(null, { status: 204 });
      return envelope(404, "not_found");
    });
    const store = memoryTokenStore();
    const session = await signedInApp(fetchImpl, store);
    await fireEvent.press(screen.getByTestId("go-profile"));
    await fireEvent.press(await screen.findByTestId("sign-out-everywhere"));
    expect(await screen.findByText("Sign in to Helio")).toBeOnTheScreen();
    const ends = calls.filter((c) => c.url === "/api/v1/auth/sessions" && c.method === "DELETE").concat(calls.filter((c) => c.url === "/api/v1/auth/logout"));
    expect(ends.map((c) => [c.method, c.url, c.headers.authorization])).toEqual([
      ["DELETE", "/api/v1/auth/sessions", "Bearer a1"],
      ["POST", "/api/v1/auth/logout", "Bearer a1"],
    ]);
    expect(calls.indexOf(ends[0]!)).toBeLessThan(calls.indexOf(ends[1]!));
    expect(await store.getRefreshToken()).toBeNull();
    expect(session.signedIn).toBe(false);
  });

  it("ending this device's session signs out here", async () => {
    const { fetchImpl } = api((call) => {
      if (call.url === "/api/v1/me") return json(200, PROFILE);
      if (call.url === "/api/v1/auth/mfa") return json(200, { totp: false, passkeys: [], recovery_codes_left: 0 });
      if (call.url === "/api/v1/auth/sessions") return json(200, { items: SESSIONS, next_cursor: null });
      if (call.url === "/api/v1/auth/sessions/s-this") return new Response(null, { status: 204 });
      return envelope(404, "not_found");
    });
    const store = memoryTokenStore();
    await signedInApp(fetchImpl, store);
    await fireEvent.press(screen.getByTestId("go-profile"));
    await fireEvent.press(await screen.findByTestId("revoke-s-this"));
    expect(await screen.findByText("Sign in to Helio")).toBeOnTheScreen();
    expect(await store.getRefreshToken()).toBeNull();
  });
});

describe("profile screen alone", () => {
  it("shows a load failure with its reference", async () => {
    const { fetchImpl } = api((call) => envelope(call.url === "/api/v1/me" ? 503 : 404, call.url === "/api/v1/me" ? "unavailable" : "not_found"));
    await render(<ProfileScreen session={new Session(BASE, memoryTokenStore(), fetchImpl)} back={() => undefined} />);
    expect((await screen.findAllByRole("alert")).map((a) => a.props.children)).toContain("The service is briefly unavailable. Please try again in a minute. (reference req-1)");
  });
});
