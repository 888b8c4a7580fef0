import { ApiError, type Schemas, unwrap } from "@helio/api-client";
import { useEffect, useState } from "react";
import { ScrollView, Text, View } from "react-native";

import type { Session } from "../api/session";
import { STATUS_WORDS } from "./HomeScreen";
import { Button, ErrorText, Screen, styles } from "./ui";

/** One order: its status, appointments and timeline (notes rendered as plain text). */
export function OrderScreen({ session, id, back }: { session: Session; id: string; back: () => void }) {
  const [order, setOrder] = useState<Schemas["OrderRead"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    unwrap(session.client.GET("/api/v1/orders/{order_id}", { params: { path: { order_id: id } } }))
      .then(setOrder)
      .catch((e: unknown) => setError(e instanceof ApiError ? e.sentence : "Could not load the order."));
  }, [session, id]);
  return (
    <Screen title="Order">
      <ScrollView contentContainerStyle={{ gap: 8 }}>
        <ErrorText message={error} />
        {order ? (
          <>
            <Text testID="order-status" style={styles.title}>
              {STATUS_WORDS[order.status]}
            </Text>
            <Text>
              {order.system_kwp} kWp · {order.net_price} {order.currency} · payment {order.payment_status}
            </Text>
            {order.survey_window ? <Text>Survey: {order.survey_window.starts_at.slice(0, 16).replace("T", " ")}</Text> : null}
            {order.install_window ? <Text>Installation: {order.install_window.starts_at.slice(0, 16).replace("T", " ")}</Text> : null}
            <Text accessibilityRole="header" style={styles.title}>
              Timeline
            </Text>
            <View testID="order-timeline">
              {order.timeline.map((entry) => (
                <View key={entry.seq} style={styles.row}>
                  <Text>{entry.to_status ? STATUS_WORDS[entry.to_status as Schemas["Status"]] ?? entry.to_status : entry.kind}</Text>
                  <Text style={styles.muted}>{entry.at.slice(0, 10)}</Text>
                </View>
              ))}
            </View>
          </>
        ) : null}
        <Button label="Back" onPress={back} testID="back" />
      </ScrollView>
    </Screen>
  );
}
