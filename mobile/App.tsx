import { StatusBar } from "expo-status-bar";
import { useEffect, useMemo, useState } from "react";
import { Text, View } from "react-native";

import { Session } from "./src/api/session";
import { API_URL } from "./src/config";
import { HelioApp } from "./src/HelioApp";
import { unlockWithDevice } from "./src/security/biometricGate";
import { enablePinning } from "./src/security/pinning";
import { platformTokenStore } from "./src/security/tokenStore";

export default function App() {
  const session = useMemo(() => new Session(API_URL, platformTokenStore()), []);
  const [pinning, setPinning] = useState<"pending" | "ready" | "refused">("pending");
  useEffect(() => {
    enablePinning()
      .then(() => setPinning("ready"))
      .catch(() => setPinning("refused"));
  }, []);
  if (pinning === "refused") {
    return (
      <View style={{ flex: 1, justifyContent: "center", padding: 24 }}>
        <Text>This build cannot protect its connection and will not run. Install Helio from the app store.</Text>
      </View>
    );
  }
  if (pinning === "pending") return null;
  return (
    <>
      <HelioApp session={session} unlock={unlockWithDevice} />
      <StatusBar style="dark" />
    </>
  );
}
