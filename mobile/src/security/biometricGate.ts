import * as LocalAuthentication from "expo-local-authentication";

/** True when the app has been idle or in the background long enough to ask again. */
export function isIdleExpired(lastActiveAt: number, now: number, idleMs: number): boolean {
  return now - lastActiveAt >= idleMs;
}

export type UnlockResult = "unlocked" | "refused" | "unavailable";

/**
 * Ask for biometrics, or the device passcode as fallback. A device with neither enrolled
 * cannot unlock a stored session: the person signs in again with password and second factor.
 */
export async function unlockWithDevice(
  auth: typeof LocalAuthentication = LocalAuthentication,
): Promise<UnlockResult> {
  const [hardware, enrolled] = await Promise.all([auth.hasHardwareAsync(), auth.isEnrolledAsync()]);
  const level = await auth.getEnrolledLevelAsync();
  if (!(hardware && enrolled) && level === auth.SecurityLevel.NONE) return "unavailable";
  const result = await auth.authenticateAsync({
    promptMessage: "Unlock Helio",
    cancelLabel: "Cancel",
    disableDeviceFallback: false,
  });
  return result.success ? "unlocked" : "refused";
}
