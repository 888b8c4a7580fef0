import { ApiError, type Schemas, unwrap } from "@helio/api-client";
import { useState } from "react";
import { ScrollView, Text } from "react-native";

import type { Session } from "../api/session";
import { Button, ErrorText, Field, LinkButton, problemText, Screen, styles } from "./ui";

interface PlaneEntry {
  area: string;
  tilt: string;
  azimuth: string;
  shading: string;
}

const EMPTY_PLANE: PlaneEntry = { area: "", tilt: "", azimuth: "180", shading: "0" };
const MAX_PLANES = 4;

/** A decimal typed with a comma or a point; null when it is not a number. */
export function parseDecimal(text: string): number | null {
  const cleaned = text.trim().replace(",", ".");
  if (cleaned === "") return null;
  const value = Number(cleaned);
  return Number.isFinite(value) ? value : null;
}

function defaultTimezone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "";
  } catch {
    return "";
  }
}

/** Add a home: address, position, time zone, up to four roof planes and the electricity tariff. */
export function SiteFormScreen({ session, saved, back }: { session: Session; saved: (site: Schemas["SiteRead"]) => void; back: () => void }) {
  const [text, setText] = useState({
    label: "",
    line1: "",
    city: "",
    postal_code: "",
    country: "",
    latitude: "",
    longitude: "",
    timezone: defaultTimezone(),
    price_per_kwh: "",
    currency: "EUR",
    escalation_pct: "2.5",
  });
  const [planes, setPlanes] = useState<PlaneEntry[]>([{ ...EMPTY_PLANE }]);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (name: keyof typeof text) => (value: string) => setText((t) => ({ ...t, [name]: value }));
  const setPlane = (index: number, name: keyof PlaneEntry) => (value: string) =>
    setPlanes((all) => all.map((p, i) => (i === index ? { ...p, [name]: value } : p)));

  const submit = async () => {
    const problems: Record<string, string> = {};
    const number = (name: string, value: string): number => {
      const parsed = parseDecimal(value);
      if (parsed === null) problems[name] = "Enter a number.";
      return parsed ?? 0;
    };
    const body: Schemas["SiteCreate"] = {
      label: text.label.trim() || null,
      address: {
        line1: text.line1.trim(),
        city: text.city.trim(),
        postal_code: text.postal_code.trim(),
        // The API checks the code against its documented list and names a wrong one.
        country: text.country.trim().toUpperCase() as Schemas["AddressCreate"]["country"],
      },
      latitude: number("latitude", text.latitude),
      longitude: number("longitude", text.longitude),
      timezone: text.timezone.trim(),
      roof_planes: planes.map((p, i) => ({
        area_m2: number(`roof_planes.${i}.area_m2`, p.area),
        tilt_deg: number(`roof_planes.${i}.tilt_deg`, p.tilt),
        azimuth_deg: number(`roof_planes.${i}.azimuth_deg`, p.azimuth),
        shading_loss_pct: number(`roof_planes.${i}.shading_loss_pct`, p.shading),
      })),
      tariff: {
        price_per_kwh: number("tariff.price_per_kwh", text.price_per_kwh),
        currency: text.currency.trim().toUpperCase() as Schemas["TariffCreate"]["currency"],
        escalation_pct: number("tariff.escalation_pct", text.escalation_pct),
      },
    };
    setFields(problems);
    setError(null);
    if (Object.keys(problems).length > 0) {
      setError("Some fields need attention.");
      return;
    }
    setBusy(true);
    try {
      saved(await unwrap(session.client.POST("/api/v1/sites", { body })));
    } catch (e) {
      setFields(e instanceof ApiError ? e.fields : {});
      setError(problemText(e));
      setBusy(false);
    }
  };

  return (
    <Screen title="Add a home">
      <ScrollView contentContainerStyle={{ gap: 10 }}>
        <Field label="Name (optional)" value={text.label} onChangeText={set("label")} placeholder="Home" error={fields.label} testID="site-label" />
        <Text accessibilityRole="header" style={styles.label}>
          Address
        </Text>
        <Field label="Street and number" value={text.line1} onChangeText={set("line1")} autoComplete="street-address" error={fields["address.line1"]} testID="site-line1" />
        <Field label="City" value={text.city} onChangeText={set("city")} error={fields["address.city"]} testID="site-city" />
        <Field label="Postal code" value={text.postal_code} onChangeText={set("postal_code")} autoComplete="postal-code" error={fields["address.postal_code"]} testID="site-postal-code" />
        <Field label="Country (two letters)" value={text.country} onChangeText={set("country")} maxLength={2} autoCapitalize="characters" error={fields["address.country"]} testID="site-country" />
        <Field label="Latitude" value={text.latitude} onChangeText={set("latitude")} keyboardType="numbers-and-punctuation" error={fields.latitude} testID="site-latitude" />
        <Field label="Longitude" value={text.longitude} onChangeText={set("longitude")} keyboardType="numbers-and-punctuation" error={fields.longitude} testID="site-longitude" />
        <Field label="Time zone (e.g. Europe/Berlin)" value={text.timezone} onChangeText={set("timezone")} error={fields.timezone} testID="site-timezone" />
        {planes.map((p, i) => (
          <Plane key={i} index={i} plane={p} fields={fields} setPlane={setPlane} remove={planes.length > 1 ? () => setPlanes((all) => all.filter((_, j) => j !== i)) : null} />
        ))}
        {planes.length < MAX_PLANES ? (
          <LinkButton label="Add another roof plane" onPress={() => setPlanes((all) => [...all, { ...EMPTY_PLANE }])} testID="add-plane" />
        ) : null}
        <Text accessibilityRole="header" style={styles.label}>
          Electricity price
        </Text>
        <Field label="Price per kWh" value={text.price_per_kwh} onChangeText={set("price_per_kwh")} keyboardType="decimal-pad" error={fields["tariff.price_per_kwh"]} testID="site-price" />
        <Field label="Currency" value={text.currency} onChangeText={set("currency")} maxLength={3} autoCapitalize="characters" error={fields["tariff.currency"]} testID="site-currency" />
        <Field label="Yearly price rise (%)" value={text.escalation_pct} onChangeText={set("escalation_pct")} keyboardType="numbers-and-punctuation" error={fields["tariff.escalation_pct"]} testID="site-escalation" />
        <ErrorText message={error} />
        <Button label="Save the home" disabled={busy} onPress={() => void submit()} testID="site-save" />
        <Button label="Back" onPress={back} testID="back" />
      </ScrollView>
    </Screen>
  );
}

function Plane({
  index,
  plane,
  fields,
  setPlane,
  remove,
}: {
  index: number;
  plane: PlaneEntry;
  fields: Record<string, string>;
  setPlane: (index: number, name: keyof PlaneEntry) => (value: string) => void;
  remove: (() => void) | null;
}) {
  const key = (name: string) => fields[`roof_planes.${index}.${name}`];
  return (
    <>
      <Text accessibilityRole="header" style={styles.label}>
        Roof plane {index + 1}
      </Text>
      <Field label="Area (m²)" value={plane.area} onChangeText={setPlane(index, "area")} keyboardType="decimal-pad" error={key("area_m2")} testID={`plane-${index}-area`} />
      <Field label="Tilt (degrees, 0 is flat)" value={plane.tilt} onChangeText={setPlane(index, "tilt")} keyboardType="decimal-pad" error={key("tilt_deg")} testID={`plane-${index}-tilt`} />
      <Field
        label="Facing (degrees from north, 180 is south)"
        value={plane.azimuth}
        onChangeText={setPlane(index, "azimuth")}
        keyboardType="decimal-pad"
        error={key("azimuth_deg")}
        testID={`plane-${index}-azimuth`}
      />
      <Field label="Shading loss (%)" value={plane.shading} onChangeText={setPlane(index, "shading")} keyboardType="decimal-pad" error={key("shading_loss_pct")} testID={`plane-${index}-shading`} />
      {remove ? <LinkButton label={`Remove roof plane ${index + 1}`} onPress={remove} testID={`remove-plane-${index}`} /> : null}
    </>
  );
}
