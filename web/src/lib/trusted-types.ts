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
 * The bundler starts a Web Worker (the proof-of-work solver) from its bootstrap script with
 * the chunks to load in the fragment (`#params=`); the bootstrap loads same-origin ones only.
 */
const WORKER_BOOTSTRAP = /^\/_next\/static\/chunks\/turbopack-worker-[A-Za-z0-9_-]+\.js$/;

/**
 * Return `url` unchanged if it names one of our own script files; throw otherwise.
 * Unchanged, not made absolute: the bundler's chunk loader and React's script hoisting
 * find an already loaded chunk by comparing the `src` attribute with the URL they set, and
 * a rewritten attribute left a client-side navigation waiting forever for its chunk.
 */
export function checkScriptUrl(url: string, origin: string): string {
  const parsed = new URL(url, origin);
  const fragmentAllowed = WORKER_BOOTSTRAP.test(parsed.pathname) && parsed.hash.startsWith("#params=");
  if (parsed.origin !== origin || !ALLOWED.test(parsed.pathname) || parsed.search || (parsed.hash && !fragmentAllowed)) {
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
