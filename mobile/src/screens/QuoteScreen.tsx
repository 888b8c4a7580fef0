import { ApiError, type Schemas, unwrap } from "@helio/api-client";
import { useEffect, useState } from "react";
import { ScrollView, Text } from "react-native";

import type { Session } from "../api/session";
import { ProductionChart } from "./ProductionChart";
import { Button, ErrorText, Screen, styles } from "./ui";

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.map((v) => (typeof v === "number" ? v : Number(v) || 0)) : [];
}

/** One quote: price, size, yearly production and the monthly production chart. */
export function QuoteScreen({ session, id, back }: { session: Session; id: string; back: () => void }) {
  const [quote, setQuote] = useState<Schemas["QuoteRead"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    unwrap(session.client.GET("/api/v1/quotes/{quote_id}", { params: { path: { quote_id: id } } }))
      .then(setQuote)
      .catch((e: unknown) => setError(e instanceof ApiError ? e.sentence : "Could not load the quote."));
  }, [session, id]);
  const result = (quote?.result ?? {}) as Record<string, unknown>;
  const monthly = numbers(result.monthly_production_kwh);
  return (
    <Screen title="Quote">
      <ScrollView contentContainerStyle={{ gap: 8 }}>
        <ErrorText message={error} />
        {quote ? (
          <>
            <Text testID="quote-price" style={styles.title}>
              {quote.net_price} {quote.currency}
            </Text>
            <Text>{quote.system_kwp} kWp system</Text>
            <Text>{Math.round(Number(result.annual_production_kwh) || 0)} kWh a year</Text>
            <Text style={styles.muted}>
              {quote.expired ? "This quote has expired." : `Valid until ${quote.valid_until.slice(0, 10)}`}
            </Text>
            <ProductionChart monthly={monthly} />
          </>
        ) : null}
        <Button label="Back" onPress={back} testID="back" />
      </ScrollView>
    </Screen>
  );
}
