/**
 * Runtime settings of a web server, from the environment at start: the portal's and the
 * console's public origins, which of them this server serves and where the API listens.
 *
 * One build serves both audiences. `make run` starts two servers, each restricted to one
 * (HELIO_WEB_AUDIENCE); the container image serves both from one process and tells them
 * apart by the Host header, which must name one of the two origins (anything else: 421).
 */
import type { Audience } from "./audience";

export interface WebConfig {
  /** The one audience this server serves, or null: both, chosen by the Host header. */
  fixedAudience: Audience | null;
  portalUrl: string;
  consoleUrl: string;
  /** The API as this server reaches it (never sent to browsers). */
  apiUrl: string;
  development: boolean;
}

function env(name: string): string | undefined {
  // Read by name at run time, so the value never gets inlined into a build.
  return process.env[name];
}

function origin(value: string | undefined, fallback: string): string {
  return new URL(value || fallback).origin;
}

function audienceSetting(value: string | undefined): Audience | null {
  if (value === "portal" || value === "console") return value;
  if (!value) return null;
  throw new Error(`HELIO_WEB_AUDIENCE must be "portal", "console" or empty, not ${JSON.stringify(value)}`);
}

export function webConfig(): WebConfig {
  return {
    fixedAudience: audienceSetting(env("HELIO_WEB_AUDIENCE")),
    portalUrl: origin(env("HELIO_WEB_PORTAL_URL"), "http://portal.localhost:3000"),
    consoleUrl: origin(env("HELIO_WEB_CONSOLE_URL"), "http://console.localhost:3001"),
    apiUrl: origin(env("HELIO_API_URL"), "http://127.0.0.1:8000"),
    development: env("NODE_ENV") === "development",
  };
}

/** The public origin of an audience. */
export function originOf(config: WebConfig, audience: Audience): string {
  return audience === "console" ? config.consoleUrl : config.portalUrl;
}

/** The audience whose origin the Host header names, if this server serves it; else null. */
export function audienceForHost(config: WebConfig, host: string | null): Audience | null {
  const served: Audience[] = config.fixedAudience ? [config.fixedAudience] : ["portal", "console"];
  return served.find((audience) => new URL(originOf(config, audience)).host === host) ?? null;
}
