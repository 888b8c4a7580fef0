import "server-only";

import { headers } from "next/headers";

import type { Audience } from "./audience";
import { AUDIENCE_HEADER } from "./audience";
import { audienceForHost, webConfig } from "./config";

/**
 * The audience of the page being rendered: proxy.ts chose it from the Host header and set
 * it on the request (overwriting anything a browser sent).
 */
export async function requestAudience(): Promise<Audience> {
  const incoming = await headers();
  const chosen = incoming.get(AUDIENCE_HEADER);
  if (chosen === "portal" || chosen === "console") return chosen;
  return audienceForHost(webConfig(), incoming.get("host")) ?? "portal";
}
