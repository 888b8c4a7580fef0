/**
 * Proof-of-work (hashcash-style) the API asks for after repeated failures:
 * find a decimal counter such that SHA-256("<token>:<counter>") starts with
 * `difficultyBits` zero bits; send `X-PoW-Solution: <token>:<counter>`.
 * Synchronous on purpose: the web app runs it in a Web Worker.
 */
import { sha256 } from "@noble/hashes/sha2.js";

export const POW_HEADER = "X-PoW-Solution";

export interface PowChallenge {
  challenge: string;
  difficulty_bits: number;
  expires_at: number;
}

/** Count the leading zero bits of a digest. */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

const encoder = new TextEncoder();

/**
 * Return the header value that solves `challenge`; gives up (throws) after
 * `maxAttempts` so a forged, too-hard challenge cannot spin forever.
 */
export function solvePow(challenge: string, difficultyBits: number, maxAttempts = 2 ** 28): string {
  if (!Number.isInteger(difficultyBits) || difficultyBits < 1 || difficultyBits > 32) {
    throw new RangeError("difficulty out of range");
  }
  const prefix = sha256.create().update(encoder.encode(`${challenge}:`));
  for (let counter = 0; counter < maxAttempts; counter++) {
    const digest = prefix.clone().update(encoder.encode(String(counter))).digest();
    if (leadingZeroBits(digest) >= difficultyBits) return `${challenge}:${counter}`;
  }
  throw new Error("no solution found within the attempt budget");
}

/** True when the API refused a request because it wants a (new) solution. */
export function needsPow(code: string): boolean {
  return code === "pow_required" || code === "pow_expired" || code === "pow_replayed";
}
