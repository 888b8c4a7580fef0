import { ApiError, type Schemas, unwrap } from "@helio/api-client";
import { useEffect, useState } from "react";
import { ScrollView, Text } from "react-native";

import type { Session } from "../api/session";
import { parseDecimal } from "./SiteFormScreen";
import { Button, ErrorText, Field, problemText, Screen, styles } from "./ui";

export const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** Twelve monthly kWh figures from the electricity bills, January first. */
export function UsageScreen({ session, siteId, saved, back }: { session: Session; siteId: string; saved: (usage: Schemas["UsageRead"]) => void; back: () => void }) {
  const [months, setMonths] = useState<string[]>(MONTHS.map(() => ""));
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    unwrap(session.client.GET("/api/v1/sites/{site_id}", { params: { path: { site_id: siteId } } }))
      .then((site) => live && site.usage && setMonths(site.usage.monthly_kwh.map((kwh) => String(kwh))))
      .catch((e: unknown) => live && setError(problemText(e)));
    return () => {
      live = false;
    };
  }, [session, siteId]);

  const submit = async () => {
    const values = months.map(parseDecimal);
    const problems: Record<string, string> = {};
    values.forEach((v, i) => {
      if (v === null || v < 0) problems[`monthly_kwh.${i}`] = "Enter the kWh of this month (0 or more).";
    });
    setFields(problems);
    setError(null);
    if (Object.keys(problems).length > 0) {
      setError("Some months need a figure.");
      return;
    }
    setBusy(true);
    try {
      const usage = await unwrap(
        session.client.PUT("/api/v1/sites/{site_id}/usage", { params: { path: { site_id: siteId } }, body: { monthly_kwh: values as number[] } }),
      );
      saved(usage);
    } catch (e) {
      setFields(e instanceof ApiError ? e.fields : {});
      setError(problemText(e));
      setBusy(false);
    }
  };

  const total = months.map(parseDecimal).reduce<number>((sum, v) => sum + (v ?? 0), 0);
  return (
    <Screen title="Monthly usage">
      <ScrollView contentContainerStyle={{ gap: 8 }}>
        <Text style={styles.muted}>The kWh on your electricity bills, one figure for each month.</Text>
        {MONTHS.map((month, i) => (
          <Field
            key={month}
            label={`${month} (kWh)`}
            value={months[i]}
            onChangeText={(value) => setMonths((all) => all.map((m, j) => (j === i ? value : m)))}
            keyboardType="decimal-pad"
            error={fields[`monthly_kwh.${i}`] ?? (i === 0 ? fields.monthly_kwh : undefined)}
            testID={`month-${i}`}
          />
        ))}
        <Text testID="usage-total">{Math.round(total)} kWh a year</Text>
        <ErrorText message={error} />
        <Button label="Save usage" disabled={busy} onPress={() => void submit()} testID="usage-save" />
        <Button label="Back" onPress={back} testID="back" />
      </ScrollView>
    </Screen>
  );
}
