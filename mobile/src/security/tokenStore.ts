import * as SecureStore from "expo-secure-store";
import { Platform } from "react-native";

/** Where the refresh token lives between launches; the access token never leaves memory. */
export interface TokenStore {
  readonly kind: "keystore" | "memory";
  getRefreshToken(): Promise<string | null>;
  setRefreshToken(token: string): Promise<void>;
  clear(): Promise<void>;
}

export const REFRESH_KEY = "helio.refresh_token";

/**
 * Keychain (iOS) / Android Keystore through expo-secure-store: readable only while the
 * device is unlocked, never synced to iCloud or restored onto another device.
 */
export function keystoreTokenStore(store: typeof SecureStore = SecureStore): TokenStore {
  const options: SecureStore.SecureStoreOptions = {
    keychainAccessible: store.WHEN_UNLOCKED_THIS_DEVICE_ONLY,
  };
  return {
    kind: "keystore",
    getRefreshToken: () => store.getItemAsync(REFRESH_KEY, options),
    setRefreshToken: (token) => store.setItemAsync(REFRESH_KEY, token, options),
    clear: () => store.deleteItemAsync(REFRESH_KEY, options),
  };
}

/**
 * The web build has no keystore: the refresh token stays in memory and dies with the tab
 * (never localStorage or AsyncStorage, which any script on the origin could read).
 */
export function memoryTokenStore(): TokenStore {
  let token: string | null = null;
  return {
    kind: "memory",
    getRefreshToken: async () => token,
    setRefreshToken: async (value) => {
      token = value;
    },
    clear: async () => {
      token = null;
    },
  };
}

export function platformTokenStore(os: string = Platform.OS): TokenStore {
  return os === "web" ? memoryTokenStore() : keystoreTokenStore();
}
