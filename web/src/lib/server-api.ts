import "server-only";

import { ApiError, createHelioClient, unwrap, type FetchResult, type HelioClient, type Schemas } from "@helio/api-client";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";

import { webConfig } from "./config";

/** A client that calls the API as the signed-in browser (its cookies, its address). */
export async function serverClient(): Promise<HelioClient> {
  const jar = await cookies();
  const incoming = await headers();
  const forwarded: Record<string, string> = { cookie: jar.toString() };
  const names = process.env["HELIO_WEB_TRUST_FORWARDED_FOR"] === "1" ? ["user-agent", "x-forwarded-for"] : ["user-agent"];
  for (const name of names) {
    const value = incoming.get(name);
    if (value) forwarded[name] = value;
  }
  return createHelioClient({ baseUrl: webConfig().apiUrl, headers: forwarded });
}

function signInPath(next: string): string {
  return `/sign-in?next=${encodeURIComponent(next)}`;
}

/** The path of the page being rendered (set by proxy.ts). */
export async function currentPath(): Promise<string> {
  return (await headers()).get("x-helio-pathname") ?? "/";
}

/** Load data for a page: no session → the sign-in page; other errors are returned to show. */
export async function load<T>(call: (api: HelioClient) => Promise<FetchResult<T>>): Promise<T | ApiError> {
  try {
    return await unwrap(call(await serverClient()));
  } catch (error) {
    if (error instanceof ApiError) {
      if (error.status === 401) redirect(signInPath(await currentPath()));
      return error;
    }
    throw error;
  }
}

export type WhoAmI = Schemas["WhoAmIRead"];

/** Who is signed in on this request (one API call per request), or null. */
export const whoami = cache(async (): Promise<WhoAmI | null> => {
  try {
    return await unwrap((await serverClient()).GET("/api/v1/auth/whoami"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
});

/** The signed-in account, or a redirect to sign in. */
export async function requireSession(): Promise<WhoAmI> {
  const me = await whoami();
  if (me === null) redirect(signInPath(await currentPath()));
  return me;
}
