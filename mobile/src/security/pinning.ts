import { Platform } from "react-native";
import { initializeSslPinning, isSslPinningAvailable } from "react-native-ssl-public-key-pinning";

import { API_HOST } from "../config";

/**
 * SPKI SHA-256 pins (base64) of the API host: the current key and an offline backup key
 * whose certificate can be issued without shipping an app update. Rotate per docs/mobile.md.
 */
export const PINNING = {
  [API_HOST]: {
    includeSubdomains: false,
    publicKeyHashes: [
      "r/mIkG3eEpVdm+u/ko/cwxzOMo1bk4TyHIlByibiA5E=", // current leaf key
      "YLh1dUR9y6Kja30RrAn7JKnbQG/uEtLMkBgFF2Fuihg=", // offline backup key
    ],
    expirationDate: "2027-12-31",
  },
} as const;

const SPKI_HASH = /^[A-Za-z0-9+/]{43}=$/;

/** The problems a pinning configuration has (empty when it is usable). */
export function pinningProblems(config: Record<string, { publicKeyHashes: readonly string[] }>): string[] {
  const problems: string[] = [];
  const hosts = Object.keys(config);
  if (hosts.length === 0) problems.push("no host is pinned");
  for (const host of hosts) {
    const pins = config[host]?.publicKeyHashes ?? [];
    if (pins.length < 2) problems.push(`${host}: needs a current and a backup pin`);
    if (new Set(pins).size !== pins.length) problems.push(`${host}: pins repeat`);
    for (const pin of pins) if (!SPKI_HASH.test(pin)) problems.push(`${host}: ${pin} is not a base64 SHA-256`);
  }
  return problems;
}

export class PinningUnavailableError extends Error {}

/**
 * Turn pinning on before the first request. A release build on a device refuses to run
 * without the native pinning module; development builds and the web build (the browser
 * owns TLS) go on without it.
 */
export async function enablePinning(opts: {
  isRelease: boolean;
  os: string;
  available: () => boolean;
  initialize: (config: typeof PINNING) => Promise<void>;
} = {
  isRelease: !__DEV__,
  os: Platform.OS,
  available: isSslPinningAvailable,
  initialize: (config) => initializeSslPinning(config as never),
}): Promise<"pinned" | "skipped"> {
  if (opts.os === "web") return "skipped";
  const problems = pinningProblems(PINNING);
  if (!opts.available() || problems.length > 0) {
    if (opts.isRelease) {
      throw new PinningUnavailableError(
        problems.length > 0 ? problems.join("; ") : "TLS pinning is not available in this build",
      );
    }
    return "skipped";
  }
  await opts.initialize(PINNING);
  return "pinned";
}
