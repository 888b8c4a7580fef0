"use client";

/**
 * The app's Trusted Types policy. With `require-trusted-types-for 'script'`
 * a string reaching a script sink goes through the "default" policy; ours
 * lets through only this origin's own service worker and bundled scripts
 * (the proof-of-work worker) and refuses every HTML or script string.
 */

interface TrustedTypesFactory {
  createPolicy(
    name: string,
    rules: {
      createScriptURL?(input: string): string;
      createHTML?(input: string): string;
      createScript?(input: string): string;
    },
  ): unknown;
}

const ALLOWED = /^\/(sw\.js|_next\/static\/[A-Za-z0-9._/-]+\.js)$/;

/**
 * Return `url` unchanged if it names one of our own script files; throw otherwise.
 * Unchanged, not made absolute: the bundler's chunk loader and React's script hoisting
 * find an already loaded chunk by comparing the `src` attribute with the URL they set, and
 * a rewritten attribute left a client-side navigation waiting forever for its chunk.
 */
export function checkScriptUrl(url: string, origin: string): string {
  const parsed = new URL(url, origin);
  if (parsed.origin !== origin || !ALLOWED.test(parsed.pathname) || parsed.search || parsed.hash) {
    throw new TypeError("script URL refused by the Trusted Types policy");
  }
  return url;
}

let installed = false;

/** Create the default policy once, where the browser has Trusted Types. */
export function installTrustedTypesPolicy(): void {
  const factory = (globalThis as { trustedTypes?: TrustedTypesFactory }).trustedTypes;
  if (installed || !factory) return;
  installed = true;
  const origin = window.location.origin;
  factory.createPolicy("default", {
    createScriptURL: (input) => checkScriptUrl(input, origin),
  });
}
