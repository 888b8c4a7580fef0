import Constants from "expo-constants";
import { Platform } from "react-native";

/** The app's own release (app.json "version"), compared with the API's minimum. */
export const APP_VERSION: string = Constants.expoConfig?.version ?? "0.0.0";

/**
 * Where the API lives. The web build is served beside the API (same origin, "");
 * native builds call the production host, which the pinning configuration covers.
 */
export const API_HOST = "api.helio.example";
export const API_URL: string =
  process.env.EXPO_PUBLIC_HELIO_API_URL ?? (Platform.OS === "web" ? "" : `https://${API_HOST}`);

/** After this long in the background or without a touch, the app asks for biometrics. */
export const IDLE_LOCK_MS = 5 * 60 * 1000;
