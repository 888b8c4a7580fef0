import { act, fireEvent, render, screen } from "@testing-library/react-native";
import { AppState, type AppStateStatus } from "react-native";

import { Session } from "../src/api/session";
import { HelioApp } from "../src/HelioApp";
import { OrderScreen } from "../src/screens/OrderScreen";
import { memoryTokenStore } from "../src/security/tokenStore";
import { type Call, envelope, fakeFetch, json } from "./fakeApi";

const BASE = "http://api.test";
const QUOTE = {
  id: "q1", site_id: "s1", status: "issued", model_version: "m1", inputs_digest: "d", system_kwp: 6.4, net_price: "9400.00",
  currency: "EUR", created_at: "2026-12-01T10:00:00Z", valid_until: "2026-12-31T10:00:00Z", expired: false, inputs: {},
  result: { annual_production_kwh: 6123.4, monthly_production_kwh: [200, 300, 500, 600, 700, 800, 800, 700, 600, 450, 250, 200] },
};
const ORDER = {
  id: "o1", customer_id: "c1", quote_id: "q1", site_id: "s1", status: "survey_scheduled", version: 2, net_price: "9400.00",
  currency: "EUR", system_kwp: "6.4", payment_status: "deposit_paid", survey_window: { starts_at: "2026-12-10T08:00:00Z", ends_at: "2026-12-10T10:00:00Z" },
  install_window: null, created_at: "2026-12-02T10:00:00Z", updated_at: null, contact: null,
  timeline: [
    { seq: 1, kind: "step", from_status: null, to_status: "placed", actor_role: "customer", actor_id: null, note: null, at: "2026-12-02T10:00:00Z" },
    { seq: 2, kind: "step", from_status: "placed", to_status: "survey_scheduled", actor_role: "sales", actor_id: null, note: "<b>not markup</b>", at: "2026-12-03T10:00:00Z" },
  ],
};

function api(opts: { minVersion?: string } = {}) {
  let issued = 0;
  return fakeFetch((call: Call) => {
    switch (call.url) {
      case "/api/v1/app/config":
        return json(200, { min_mobile_version: opts.minVersion ?? "1.0.0" });
      case "/api/v1/auth/token": {
        const body = call.body as Record<string, string>;
        if (body.grant_type === "password") {
          return body.password === "pw" ? json(200, { mfa_required: true, mfa_token: "m", mfa_methods: ["totp"] }) : envelope(401, "invalid_credentials", "Wrong email or password.");
        }
        issued += 1;
        if (body.grant_type === "mfa" && body.code !== "123456") return envelope(401, "invalid_code", "That code is not right.");
        return json(200, { access_token: `a${issued}`, token_type: "Bearer", expires_in: 300, refresh_token: `r${issued}` });
      }
      case "/api/v1/quotes":
        return json(200, { items: [QUOTE], next_cursor: null });
      case "/api/v1/quotes/q1":
        return json(200, QUOTE);
      case "/api/v1/orders":
        return json(200, { items: [ORDER], next_cursor: null });
      case "/api/v1/orders/o1":
        return json(200, ORDER);
      default:
        return envelope(404, "not_found");
    }
  });
}

let appStateListener: ((state: AppStateStatus) => void) | null = null;
beforeEach(() => {
  appStateListener = null;
  jest.spyOn(AppState, "addEventListener").mockImplementation((_type, listener) => {
    appStateListener = listener as (state: AppStateStatus) => void;
    return { remove: () => undefined } as ReturnType<typeof AppState.addEventListener>;
  });
});
afterEach(() => jest.restoreAllMocks());

async function signIn() {
  await fireEvent.changeText(await screen.findByTestId("email"), "ann@example.com");
  await fireEvent.changeText(screen.getByTestId("password"), "pw");
  await fireEvent.press(screen.getByTestId("sign-in"));
  await fireEvent.changeText(await screen.findByTestId("mfa-code"), "123456");
  await fireEvent.press(screen.getByTestId("mfa-submit"));
  await screen.findByText("Your solar projects");
}

describe("screens", () => {
  it("signs in with password and TOTP, lists quotes and orders, opens the quote with its chart", async () => {
    const { fetchImpl } = api();
    const session = new Session(BASE, memoryTokenStore(), fetchImpl);
    await render(<HelioApp session={session} unlock={async () => "unlocked"} appVersion="1.0.0" />);
    await signIn();
    await fireEvent.press(await screen.findByTestId("quote-q1"));
    expect(await screen.findByTestId("quote-price")).toHaveTextContent("9400.00 EUR");
    expect(screen.getByTestId("production-chart")).toHaveProp("accessibilityLabel", "Production 6100 kWh a year");
    expect(screen.getByText("6123 kWh a year")).toBeOnTheScreen();
  });

  it("shows the API's sentence for a wrong password and a wrong code", async () => {
    const { fetchImpl } = api();
    await render(<HelioApp session={new Session(BASE, memoryTokenStore(), fetchImpl)} unlock={async () => "unlocked"} appVersion="1.0.0" />);
    await fireEvent.changeText(await screen.findByTestId("email"), "ann@example.com");
    await fireEvent.changeText(screen.getByTestId("password"), "nope");
    await fireEvent.press(screen.getByTestId("sign-in"));
    expect(await screen.findByRole("alert")).toHaveTextContent(/.+/);
    await fireEvent.changeText(screen.getByTestId("password"), "pw");
    await fireEvent.press(screen.getByTestId("sign-in"));
    await fireEvent.changeText(await screen.findByTestId("mfa-code"), "000000");
    await fireEvent.press(screen.getByTestId("mfa-submit"));
    expect(await screen.findByRole("alert")).toHaveTextContent(/.+/);
    expect(screen.queryByText("Your solar projects")).toBeNull();
  });

  it("shows the order's status and timeline, notes never as markup", async () => {
    const { fetchImpl } = api();
    const store = memoryTokenStore();
    await store.setRefreshToken("r0");
    const session = new Session(BASE, store, fetchImpl);
    await render(<OrderScreen session={session} id="o1" back={() => undefined} />);
    expect(await screen.findByTestId("order-status")).toHaveTextContent("Survey scheduled");
    expect(screen.getByText("Order placed")).toBeOnTheScreen();
    expect(screen.getByText("Survey: 2026-12-10 08:00")).toBeOnTheScreen();
  });

  it("says 'update required' when the app is older than the API's minimum, and offers no sign-in", async () => {
    const { fetchImpl } = api({ minVersion: "2.0.0" });
    await render(<HelioApp session={new Session(BASE, memoryTokenStore(), fetchImpl)} unlock={async () => "unlocked"} appVersion="1.4.0" />);
    expect(await screen.findByTestId("update-required")).toHaveTextContent(/version 2\.0\.0 or later/);
    expect(screen.getByText("Update required")).toBeOnTheScreen();
    expect(screen.queryByTestId("sign-in")).toBeNull();
  });

  it("blurs in the background, locks after the idle timeout, and unlocks only through the device check", async () => {
    let clock = 1_000_000;
    const { fetchImpl, calls } = api();
    const store = memoryTokenStore();
    const session = new Session(BASE, store, fetchImpl);
    const unlock = jest.fn(async () => "refused" as const);
    await render(<HelioApp session={session} unlock={unlock} now={() => clock} idleMs={60_000} appVersion="1.0.0" />);
    await signIn();
    await act(async () => appStateListener?.("background"));
    expect(screen.getByTestId("privacy-blur")).toBeOnTheScreen();
    clock += 61_000;
    await act(async () => appStateListener?.("active"));
    expect(screen.queryByTestId("privacy-blur")).toBeNull();
    expect(await screen.findByText("Helio is locked")).toBeOnTheScreen();
    expect(session.signedIn).toBe(false);
    expect(screen.queryByText("Your solar projects")).toBeNull();
    await fireEvent.press(screen.getByTestId("unlock"));
    expect(await screen.findByText("Not unlocked.")).toBeOnTheScreen();
    const refreshes = () => calls.filter((c) => (c.body as { grant_type?: string } | undefined)?.grant_type === "refresh_token").length;
    expect(refreshes()).toBe(0);
    unlock.mockImplementation(async () => "unlocked" as never);
    await fireEvent.press(screen.getByTestId("unlock"));
    await screen.findByText("Your solar projects");
    expect(refreshes()).toBe(1);
    expect(await store.getRefreshToken()).toBe("r2");
  });

  it("a short trip to the background does not lock", async () => {
    let clock = 1_000_000;
    const { fetchImpl } = api();
    await render(<HelioApp session={new Session(BASE, memoryTokenStore(), fetchImpl)} unlock={async () => "unlocked"} now={() => clock} idleMs={60_000} appVersion="1.0.0" />);
    await signIn();
    await act(async () => appStateListener?.("background"));
    clock += 30_000;
    await act(async () => appStateListener?.("active"));
    expect(screen.getByText("Your solar projects")).toBeOnTheScreen();
  });

  it("a stored session from an earlier launch starts locked", async () => {
    const { fetchImpl } = api();
    const store = memoryTokenStore();
    await store.setRefreshToken("r0");
    await render(<HelioApp session={new Session(BASE, store, fetchImpl)} unlock={async () => "unlocked"} appVersion="1.0.0" />);
    expect(await screen.findByText("Helio is locked")).toBeOnTheScreen();
    await fireEvent.press(screen.getByTestId("unlock"));
    expect(await screen.findByText("Your solar projects")).toBeOnTheScreen();
  });
});
