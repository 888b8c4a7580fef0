import { Button, ErrorText, Screen, styles } from "./ui";
import { Text } from "react-native";

/** Shown after the idle timeout: biometrics or the device passcode, or sign in again. */
export function LockScreen({ onUnlock, onSignOut, message }: { onUnlock: () => void; onSignOut: () => void; message: string | null }) {
  return (
    <Screen title="Helio is locked">
      <Text style={styles.muted}>Unlock with your fingerprint, face or device passcode.</Text>
      <ErrorText message={message} />
      <Button label="Unlock" onPress={onUnlock} testID="unlock" />
      <Button label="Sign in again" onPress={onSignOut} testID="lock-sign-out" />
    </Screen>
  );
}
