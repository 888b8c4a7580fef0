import { ApiError } from "@helio/api-client";
import type { ReactNode } from "react";
import { Pressable, StyleSheet, Text, TextInput, type TextInputProps, View } from "react-native";

export const colors = { ink: "#1b2a3a", muted: "#5b6b7b", accent: "#f5a300", bg: "#fbfaf7", error: "#b3261e" };

export function Screen({ title, children }: { title: string; children: ReactNode }) {
  return (
    <View style={styles.screen}>
      <Text accessibilityRole="header" style={styles.title}>
        {title}
      </Text>
      {children}
    </View>
  );
}

export function Field(props: TextInputProps & { label: string; error?: string | null }) {
  const { label, error, ...input } = props;
  return (
    <View style={styles.field}>
      <Text style={styles.label}>{label}</Text>
      <TextInput accessibilityLabel={label} autoCapitalize="none" autoCorrect={false} style={styles.input} {...input} />
      {error ? (
        <Text style={styles.error} testID={input.testID ? `${input.testID}-error` : undefined}>
          {error}
        </Text>
      ) : null}
    </View>
  );
}

export function Button({ label, onPress, disabled, testID }: { label: string; onPress: () => void; disabled?: boolean; testID?: string }) {
  return (
    <Pressable
      accessibilityRole="button"
      accessibilityState={{ disabled: !!disabled }}
      disabled={disabled}
      onPress={onPress}
      style={[styles.button, disabled ? styles.disabled : null]}
      testID={testID}
    >
      <Text style={styles.buttonText}>{label}</Text>
    </Pressable>
  );
}

export function ErrorText({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <Text accessibilityRole="alert" style={styles.error}>
      {message}
    </Text>
  );
}

/**
 * One plain sentence for a failed call, with the request id support needs to find it.
 * Anything that is not an API answer means the service was not reached.
 */
export function problemText(error: unknown): string {
  return error instanceof ApiError ? error.withReference : "The Helio service cannot be reached. Try again.";
}

/** The API's reason for one field of a refused form (422), if it gave one. */
export function fieldProblem(error: unknown, name: string): string | null {
  return error instanceof ApiError ? (error.fields[name] ?? null) : null;
}

export function LinkButton({ label, onPress, testID }: { label: string; onPress: () => void; testID?: string }) {
  return (
    <Pressable accessibilityRole="link" onPress={onPress} style={styles.link} testID={testID}>
      <Text style={styles.linkText}>{label}</Text>
    </Pressable>
  );
}

export const styles = StyleSheet.create({
  screen: { flex: 1, padding: 20, paddingTop: 48, backgroundColor: colors.bg, gap: 12 },
  title: { fontSize: 24, fontWeight: "700", color: colors.ink },
  field: { gap: 4 },
  label: { color: colors.muted },
  input: { borderWidth: 1, borderColor: "#c9ced4", borderRadius: 8, padding: 10, fontSize: 16, backgroundColor: "#fff" },
  button: { backgroundColor: colors.accent, borderRadius: 8, padding: 12, alignItems: "center" },
  disabled: { opacity: 0.5 },
  buttonText: { fontWeight: "700", color: colors.ink },
  error: { color: colors.error },
  row: { flexDirection: "row", justifyContent: "space-between", paddingVertical: 8, borderBottomWidth: 1, borderColor: "#e4e4e4" },
  muted: { color: colors.muted },
  link: { padding: 8, alignItems: "center" },
  linkText: { color: colors.ink, textDecorationLine: "underline" },
});
