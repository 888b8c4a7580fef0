import { describe, expect, it } from "vitest";

import { formFieldErrors, monthlyUsageFromForm, profileUpdateFromForm, roofPlanesFromForm, siteCreateFromForm } from "../src/lib/forms";

function form(entries: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(entries)) data.append(key, value);
  return data;
}

describe("siteCreateFromForm", () => {
  it("maps inputs onto SiteCreate with numbers, an upper-case country and currency", () => {
    const body = siteCreateFromForm(
      form({
        label: "Home",
        line1: "1 Dolores Street",
        city: "San Francisco",
        postal_code: "94110",
        country: "us",
        latitude: "37.7749",
        longitude: "-122,4194",
        timezone: "America/Los_Angeles",
        "planes.0.area_m2": "28",
        "planes.0.tilt_deg": "22",
        "planes.0.azimuth_deg": "180",
        "planes.1.area_m2": "",
        price_per_kwh: "0.32",
        currency: "usd",
        escalation_pct: "",
      }),
    );
    expect(body.address.country).toBe("US");
    expect(body.address.line2).toBeNull();
    expect(body.longitude).toBe(-122.4194);
    expect(body.roof_planes).toEqual([{ area_m2: 28, tilt_deg: 22, azimuth_deg: 180 }]);
    expect(body.tariff).toEqual({ price_per_kwh: "0.32", currency: "USD", escalation_pct: "2.5" });
  });

  it("sends NaN for a non-number so the API names that field, never a silent zero", () => {
    const body = siteCreateFromForm(form({ latitude: "north", longitude: "" }));
    expect(Number.isNaN(body.latitude)).toBe(true);
    expect(Number.isNaN(body.longitude)).toBe(true);
  });
});

describe("roofPlanesFromForm", () => {
  it("keeps index order and optional shading", () => {
    const planes = roofPlanesFromForm(
      form({
        "planes.10.area_m2": "5",
        "planes.10.tilt_deg": "10",
        "planes.10.azimuth_deg": "90",
        "planes.2.area_m2": "18",
        "planes.2.tilt_deg": "22",
        "planes.2.azimuth_deg": "270",
        "planes.2.shading_loss_pct": "10",
      }),
    );
    expect(planes).toEqual([
      { area_m2: 18, tilt_deg: 22, azimuth_deg: 270, shading_loss_pct: 10 },
      { area_m2: 5, tilt_deg: 10, azimuth_deg: 90 },
    ]);
  });
});

describe("monthlyUsageFromForm", () => {
  it("reads twelve figures in month order", () => {
    const entries: Record<string, string> = {};
    for (let i = 0; i < 12; i++) entries[`month.${i}`] = String(100 + i);
    expect(monthlyUsageFromForm(form(entries))).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111]);
  });
});

describe("profileUpdateFromForm", () => {
  it("leaves out empty fields and reads the consent checkbox", () => {
    expect(profileUpdateFromForm(form({ full_name: " Ann ", phone: "" }))).toEqual({
      full_name: "Ann",
      marketing_consent: false,
    });
    const withAddress = profileUpdateFromForm(form({ line1: "1 Main St", city: "Leeds", postal_code: "LS1", country: "gb", marketing_consent: "on" }));
    expect(withAddress.marketing_consent).toBe(true);
    expect(withAddress.address?.country).toBe("GB");
  });
});

describe("formFieldErrors", () => {
  it("renames the API's list paths to the form's input names", () => {
    expect(
      formFieldErrors({ "roof_planes.0.tilt_deg": "Too steep.", "monthly_kwh.3": "Negative.", "tariff.currency": "Unknown.", latitude: "Bad." }),
    ).toEqual({ "planes.0.tilt_deg": "Too steep.", "month.3": "Negative.", currency: "Unknown.", latitude: "Bad." });
  });
});
