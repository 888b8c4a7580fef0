import { type Schemas, unwrap } from "@helio/api-client";
import { useEffect, useState } from "react";
import { ScrollView, Text, View } from "react-native";

import type { Session } from "../api/session";
import type { Route } from "./HomeScreen";
import { Button, ErrorText, problemText, Screen, styles } from "./ui";

type Site = Schemas["SiteRead"];

export function siteName(site: Site): string {
  if (site.label) return site.label;
  return site.address ? `${site.address.line1}, ${site.address.city}` : "Your home";
}

/** The customer's homes: their yearly use, and from each a quote, usage or a roof photo. */
export function SitesScreen({ session, go }: { session: Session; go: (route: Route) => void }) {
  const [sites, setSites] = useState<Site[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [quoting, setQuoting] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    unwrap(session.client.GET("/api/v1/sites"))
      .then((page) => live && setSites(page.items))
      .catch((e: unknown) => live && setError(problemText(e)));
    return () => {
      live = false;
    };
  }, [session]);

  const requestQuote = async (siteId: string) => {
    setQuoting(siteId);
    setError(null);
    try {
      const quote = await unwrap(session.client.POST("/api/v1/quotes", { body: { site_id: siteId } }));
      go({ name: "quote", id: quote.id });
    } catch (e) {
      setError(problemText(e));
      setQuoting(null);
    }
  };

  return (
    <Screen title="Your homes">
      <ScrollView contentContainerStyle={{ gap: 8 }}>
        <ErrorText message={error} />
        {sites?.length === 0 ? <Text style={styles.muted}>No homes yet: add one to get a quote.</Text> : null}
        {sites?.map((site) => (
          <View key={site.id} style={[styles.row, { flexDirection: "column", gap: 6 }]} testID={`site-${site.id}`}>
            <Text style={{ fontWeight: "700" }}>{siteName(site)}</Text>
            <Text style={styles.muted}>
              {site.usage ? `${Math.round(site.usage.annual_kwh)} kWh a year` : "No usage entered yet"} · {site.roof_planes.length} roof plane
              {site.roof_planes.length === 1 ? "" : "s"}
            </Text>
            <Button label="Monthly usage" onPress={() => go({ name: "usage", siteId: site.id })} testID={`usage-${site.id}`} />
            <Button label="Roof photo" onPress={() => go({ name: "photo", siteId: site.id })} testID={`photo-${site.id}`} />
            <Button
              label={quoting === site.id ? "Working out your quote…" : "Get a quote"}
              disabled={quoting !== null}
              onPress={() => void requestQuote(site.id)}
              testID={`get-quote-${site.id}`}
            />
          </View>
        ))}
        <Button label="Add a home" onPress={() => go({ name: "site-new" })} testID="add-site" />
        <Button label="Back" onPress={() => go({ name: "home" })} testID="back" />
      </ScrollView>
    </Screen>
  );
}
