/**
 * Runtime settings of a web server, from the environment at start (one build,
 * two servers): which audience it serves, its own public origin, the other
 * audience's origin and where the API listens.
 */
import type { Audience } from "./audience";

export interface WebConfig {
  audience: Audience;
  /** This server's public origin, e.g. https://app.example.com. */
  origin: string;
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

export function webConfig(): WebConfig {
  const audience = env("HELIO_WEB_AUDIENCE") === "console" ? "console" : "portal";
  const portalUrl = origin(env("HELIO_WEB_PORTAL_URL"), "http://portal.localhost:3000");
  const consoleUrl = origin(env("HELIO_WEB_CONSOLE_URL"), "http://console.localhost:3001");
  return {
    audience,
    origin: audience === "console" ? consoleUrl : portalUrl,
    portalUrl,
    consoleUrl,
    apiUrl: origin(env("HELIO_API_URL"), "http://127.0.0.1:8000"),
    development: env("NODE_ENV") === "development",
  };
}
