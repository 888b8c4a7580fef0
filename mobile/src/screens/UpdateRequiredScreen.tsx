import { Text } from "react-native";

import { Screen, styles } from "./ui";

export function UpdateRequiredScreen({ current, minimum }: { current: string; minimum: string }) {
  return (
    <Screen title="Update required">
      <Text testID="update-required">
        This version of Helio ({current}) is no longer supported. Please install version {minimum} or later from your app store.
      </Text>
      <Text style={styles.muted}>Your account and projects are safe; nothing is lost.</Text>
    </Screen>
  );
}
