import { ApiError, type Schemas, unwrap } from "@helio/api-client";
import { useEffect, useState } from "react";
import { Pressable, ScrollView, Text } from "react-native";

import type { Session } from "../api/session";
import { Button, ErrorText, Screen, styles } from "./ui";

export type Route =
  | { name: "home" }
  | { name: "quote"; id: string }
  | { name: "order"; id: string }
  | { name: "sites" }
  | { name: "site-new" }
  | { name: "usage"; siteId: string }
  | { name: "photo"; siteId: string }
  | { name: "profile" };

export const STATUS_WORDS: Record<Schemas["Status"], string> = {
  placed: "Order placed",
  survey_scheduled: "Survey scheduled",
  surveyed: "Roof surveyed",
  permit_submitted: "Permit submitted",
  permit_approved: "Permit approved",
  install_scheduled: "Installation scheduled",
  installed: "Installed",
  inspected: "Inspected",
  activated: "Producing power",
  cancelled: "Cancelled",
};

/** Quotes and orders of the signed-in customer, and the way to homes and the profile. */
export function HomeScreen({ session, go }: { session: Session; go: (route: Route) => void }) {
  const [quotes, setQuotes] = useState<Schemas["QuoteSummaryRead"][] | null>(null);
  const [orders, setOrders] = useState<Schemas["OrderSummaryRead"][] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    Promise.all([unwrap(session.client.GET("/api/v1/quotes")), unwrap(session.client.GET("/api/v1/orders"))])
      .then(([q, o]) => {
        if (!live) return;
        setQuotes(q.items);
        setOrders(o.items);
      })
      .catch((e: unknown) => live && setError(e instanceof ApiError ? e.sentence : "Could not load your projects."));
    return () => {
      live = false;
    };
  }, [session]);

  return (
    <Screen title="Your solar projects">
      <ScrollView contentContainerStyle={{ gap: 8 }}>
        <ErrorText message={error} />
        <Text accessibilityRole="header" style={styles.title}>
          Orders
        </Text>
        {orders?.length === 0 ? <Text style={styles.muted}>No orders yet.</Text> : null}
        {orders?.map((o) => (
          <Pressable key={o.id} accessibilityRole="link" onPress={() => go({ name: "order", id: o.id })} style={styles.row} testID={`order-${o.id}`}>
            <Text>{o.system_kwp} kWp</Text>
            <Text>{STATUS_WORDS[o.status]}</Text>
          </Pressable>
        ))}
        <Text accessibilityRole="header" style={styles.title}>
          Quotes
        </Text>
        {quotes?.length === 0 ? <Text style={styles.muted}>No quotes yet.</Text> : null}
        {quotes?.map((q) => (
          <Pressable key={q.id} accessibilityRole="link" onPress={() => go({ name: "quote", id: q.id })} style={styles.row} testID={`quote-${q.id}`}>
            <Text>{q.system_kwp} kWp</Text>
            <Text>
              {q.net_price} {q.currency}
            </Text>
          </Pressable>
        ))}
        <Button label="Your homes and usage" onPress={() => go({ name: "sites" })} testID="go-sites" />
        <Button label="Profile and devices" onPress={() => go({ name: "profile" })} testID="go-profile" />
        <Button label="Sign out" onPress={() => void session.signOut()} testID="sign-out" />
      </ScrollView>
    </Screen>
  );
}
