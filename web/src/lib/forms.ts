/**
 * Form data → the API's typed bodies. Empty optional inputs are left out (the
 * API then keeps or defaults them); numbers are sent as numbers; the API does
 * all the validating and its 422 field names match the input names here.
 */
import type { Schemas } from "@helio/api-client";

export const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value.trim() : "";
}

function optional(form: FormData, name: string): string | undefined {
  return text(form, name) || undefined;
}

/** A number from an input; NaN for something that is not one, so the API names the field. */
function number(form: FormData, name: string): number {
  const raw = text(form, name).replace(",", ".");
  return raw === "" ? Number.NaN : Number(raw);
}

function address(form: FormData): Schemas["AddressCreate"] | undefined {
  const line1 = text(form, "line1");
  const city = text(form, "city");
  const postal = text(form, "postal_code");
  // The server checks the code against the documented list and names a wrong one.
  const country = text(form, "country").toUpperCase() as Schemas["AddressCreate"]["country"];
  if (!line1 && !city && !postal && !country) return undefined;
  return {
    line1,
    line2: optional(form, "line2") ?? null,
    city,
    region: optional(form, "region") ?? null,
    postal_code: postal,
    country,
  };
}

export function profileUpdateFromForm(form: FormData): Schemas["ProfileUpdate"] {
  const body: Schemas["ProfileUpdate"] = {
    marketing_consent: form.get("marketing_consent") === "on",
  };
  const fullName = optional(form, "full_name");
  const phone = optional(form, "phone");
  if (fullName) body.full_name = fullName;
  if (phone) body.phone = phone;
  const place = address(form);
  if (place) body.address = place;
  return body;
}

/** Roof planes from inputs named `planes.<i>.<field>`, in index order, skipping blank rows. */
export function roofPlanesFromForm(form: FormData): Schemas["RoofPlaneCreate"][] {
  const indexes = new Set<number>();
  for (const key of form.keys()) {
    const match = /^planes\.(\d{1,2})\./.exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  const planes: Schemas["RoofPlaneCreate"][] = [];
  for (const i of [...indexes].sort((a, b) => a - b)) {
    const area = text(form, `planes.${i}.area_m2`);
    if (area === "") continue;
    const shading = text(form, `planes.${i}.shading_loss_pct`);
    planes.push({
      area_m2: number(form, `planes.${i}.area_m2`),
      tilt_deg: number(form, `planes.${i}.tilt_deg`),
      azimuth_deg: number(form, `planes.${i}.azimuth_deg`),
      ...(shading === "" ? {} : { shading_loss_pct: number(form, `planes.${i}.shading_loss_pct`) }),
    });
  }
  return planes;
}

export function siteCreateFromForm(form: FormData): Schemas["SiteCreate"] {
  return {
    label: optional(form, "label") ?? null,
    address: address(form) ?? {
      line1: "",
      city: "",
      postal_code: "",
      country: "" as Schemas["AddressCreate"]["country"],
    },
    latitude: number(form, "latitude"),
    longitude: number(form, "longitude"),
    timezone: text(form, "timezone"),
    roof_planes: roofPlanesFromForm(form),
    tariff: {
      price_per_kwh: text(form, "price_per_kwh"),
      currency: text(form, "currency").toUpperCase() as Schemas["TariffCreate"]["currency"],
      escalation_pct: text(form, "escalation_pct") || "2.5",
    },
  };
}

/** Twelve monthly kWh figures from inputs `month.0` … `month.11`. */
export function monthlyUsageFromForm(form: FormData): number[] {
  return MONTHS.map((_, i) => number(form, `month.${i}`));
}

/**
 * The API names list items by index ("roof_planes.0.tilt_deg", "monthly_kwh.3");
 * the form's inputs are "planes.0.tilt_deg" and "month.3".
 */
export function formFieldErrors(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, reason] of Object.entries(fields)) {
    const key = name.replace(/^roof_planes\./, "planes.").replace(/^monthly_kwh\./, "month.").replace(/^tariff\./, "");
    out[key] = reason;
  }
  return out;
}
