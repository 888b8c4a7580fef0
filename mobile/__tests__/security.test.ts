import * as LocalAuthentication from "expo-local-authentication";
import * as SecureStore from "expo-secure-store";
import fs from "node:fs";
import path from "node:path";

import { isIdleExpired, unlockWithDevice } from "../src/security/biometricGate";
import { enablePinning, PINNING, PinningUnavailableError, pinningProblems } from "../src/security/pinning";
import { keystoreTokenStore, memoryTokenStore, platformTokenStore, REFRESH_KEY } from "../src/security/tokenStore";
import { compareVersions, isUpdateRequired } from "../src/security/version";

function fakeSecureStore() {
  const items = new Map<string, string>();
  const fake = {
    WHEN_UNLOCKED_THIS_DEVICE_ONLY: SecureStore.WHEN_UNLOCKED_THIS_DEVICE_ONLY,
    getItemAsync: jest.fn(async (key: string) => items.get(key) ?? null),
    setItemAsync: jest.fn(async (key: string, value: string) => {
      items.set(key, value);
    }),
    deleteItemAsync: jest.fn(async (key: string) => {
      items.delete(key);
    }),
  };
  return { items, fake, store: fake as unknown as typeof SecureStore };
}

describe("token store", () => {
  it("keeps the refresh token in the keystore, this device only, readable only while unlocked", async () => {
    const { items, fake, store } = fakeSecureStore();
    const tokens = keystoreTokenStore(store);
    expect(tokens.kind).toBe("keystore");
    await tokens.setRefreshToken("r-1");
    expect(items.get(REFRESH_KEY)).toBe("r-1");
    const options = { keychainAccessible: SecureStore.WHEN_UNLOCKED_THIS_DEVICE_ONLY };
    expect(fake.setItemAsync).toHaveBeenCalledWith(REFRESH_KEY, "r-1", options);
    expect(await tokens.getRefreshToken()).toBe("r-1");
    expect(fake.getItemAsync).toHaveBeenCalledWith(REFRESH_KEY, options);
    await tokens.clear();
    expect(items.size).toBe(0);
    expect(await tokens.getRefreshToken()).toBeNull();
  });

  it("the web build keeps it in memory only (no keystore in a browser)", async () => {
    expect(platformTokenStore("web").kind).toBe("memory");
    expect(platformTokenStore("ios").kind).toBe("keystore");
    expect(platformTokenStore("android").kind).toBe("keystore");
    const tokens = memoryTokenStore();
    await tokens.setRefreshToken("r-1");
    expect(await tokens.getRefreshToken()).toBe("r-1");
    await tokens.clear();
    expect(await tokens.getRefreshToken()).toBeNull();
  });

  it("the app's code writes nothing to AsyncStorage, localStorage or the logs", () => {
    const root = path.join(__dirname, "..");
    const files = [path.join(root, "App.tsx")];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.tsx?$/.test(entry.name)) files.push(full);
      }
    };
    walk(path.join(root, "src"));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      expect([file, /AsyncStorage|localStorage|sessionStorage|console\.(log|info|warn|error|debug)/.test(text)]).toEqual([file, false]);
    }
  });
});

describe("biometric gate", () => {
  it("expires exactly at the idle timeout", () => {
    expect(isIdleExpired(0, 299_999, 300_000)).toBe(false);
    expect(isIdleExpired(0, 300_000, 300_000)).toBe(true);
  });

  function fakeAuth(opts: { hardware: boolean; enrolled: boolean; level: number; success: boolean }) {
    const fake = {
      SecurityLevel: LocalAuthentication.SecurityLevel,
      hasHardwareAsync: jest.fn(async () => opts.hardware),
      isEnrolledAsync: jest.fn(async () => opts.enrolled),
      getEnrolledLevelAsync: jest.fn(async () => opts.level),
      authenticateAsync: jest.fn(async () => (opts.success ? { success: true } : { success: false, error: "user_cancel" })),
    };
    return { fake, auth: fake as unknown as typeof LocalAuthentication };
  }
  const { NONE, SECRET, BIOMETRIC_STRONG } = LocalAuthentication.SecurityLevel;

  it("unlocks after biometrics, allowing the device passcode as fallback", async () => {
    const { fake, auth } = fakeAuth({ hardware: true, enrolled: true, level: BIOMETRIC_STRONG, success: true });
    expect(await unlockWithDevice(auth)).toBe("unlocked");
    expect(fake.authenticateAsync).toHaveBeenCalledWith(expect.objectContaining({ disableDeviceFallback: false }));
  });

  it("a cancelled or failed prompt does not unlock", async () => {
    const { auth } = fakeAuth({ hardware: true, enrolled: true, level: BIOMETRIC_STRONG, success: false });
    expect(await unlockWithDevice(auth)).toBe("refused");
  });

  it("a device with a passcode but no biometrics still asks", async () => {
    const { fake, auth } = fakeAuth({ hardware: false, enrolled: false, level: SECRET, success: true });
    expect(await unlockWithDevice(auth)).toBe("unlocked");
    expect(fake.authenticateAsync).toHaveBeenCalled();
  });

  it("a device with neither cannot unlock a stored session (sign in again)", async () => {
    const { fake, auth } = fakeAuth({ hardware: false, enrolled: false, level: NONE, success: true });
    expect(await unlockWithDevice(auth)).toBe("unavailable");
    expect(fake.authenticateAsync).not.toHaveBeenCalled();
  });
});

describe("TLS public-key pinning", () => {
  it("pins the API host with a current and a backup key", () => {
    expect(pinningProblems(PINNING)).toEqual([]);
    for (const host of Object.keys(PINNING)) {
      const pins = PINNING[host as keyof typeof PINNING].publicKeyHashes;
      expect(pins.length).toBeGreaterThanOrEqual(2);
      expect(new Set(pins).size).toBe(pins.length);
    }
  });

  it("finds a configuration with one pin, a repeated pin or a malformed pin", () => {
    const pin = PINNING["api.helio.example"].publicKeyHashes[0];
    expect(pinningProblems({ "a.example": { publicKeyHashes: [pin] } })).toHaveLength(1);
    expect(pinningProblems({ "a.example": { publicKeyHashes: [pin, pin] } })).toEqual(["a.example: pins repeat"]);
    expect(pinningProblems({ "a.example": { publicKeyHashes: [pin, "sha256/abc"] } })).toHaveLength(1);
    expect(pinningProblems({})).toEqual(["no host is pinned"]);
  });

  const initialize = jest.fn(async () => undefined);
  beforeEach(() => initialize.mockClear());

  it("a release build refuses to run without the native pinning module", async () => {
    await expect(enablePinning({ isRelease: true, os: "android", available: () => false, initialize })).rejects.toBeInstanceOf(PinningUnavailableError);
    await expect(enablePinning({ isRelease: true, os: "ios", available: () => false, initialize })).rejects.toBeInstanceOf(PinningUnavailableError);
    expect(initialize).not.toHaveBeenCalled();
  });

  it("a release build with the module turns pinning on with the configuration", async () => {
    expect(await enablePinning({ isRelease: true, os: "ios", available: () => true, initialize })).toBe("pinned");
    expect(initialize).toHaveBeenCalledWith(PINNING);
  });

  it("development builds and the web build go on without it", async () => {
    expect(await enablePinning({ isRelease: false, os: "android", available: () => false, initialize })).toBe("skipped");
    expect(await enablePinning({ isRelease: true, os: "web", available: () => false, initialize })).toBe("skipped");
  });
});

describe("minimum app version", () => {
  it("compares numerically, not as text", () => {
    expect(compareVersions("1.10.0", "1.9.9")).toBe(1);
    expect(compareVersions("1.0", "1.0.0")).toBe(0);
    expect(compareVersions("0.9.9", "1.0.0")).toBe(-1);
  });

  it("requires an update only below the minimum", () => {
    expect(isUpdateRequired("1.0.0", "1.0.1")).toBe(true);
    expect(isUpdateRequired("1.0.1", "1.0.1")).toBe(false);
    expect(isUpdateRequired("2.0.0", "1.0.1")).toBe(false);
    expect(isUpdateRequired("1.0.0", null)).toBe(false);
  });
});
