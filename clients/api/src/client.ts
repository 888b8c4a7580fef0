import createClient, { type Middleware } from "openapi-fetch";

import { withCsrf } from "./csrf";
import type { paths } from "./schema";

export type HelioClient = ReturnType<typeof createClient<paths>>;

export interface ClientOptions {
  /** Where `/api/v1/...` lives: "" for same-origin in the browser, the API URL on a server. */
  baseUrl: string;
  /** Returns the CSRF token to echo on unsafe requests (cookie sessions). */
  csrfToken?: () => string | null;
  /** Headers on every request (e.g. the forwarded Cookie on the web server). */
  headers?: Record<string, string>;
  fetch?: typeof globalThis.fetch;
}

/** The one way the web app and the mobile app call the API. */
export function createHelioClient(options: ClientOptions): HelioClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: options.headers,
    fetch: options.fetch,
    credentials: "same-origin",
  });
  const csrf = options.csrfToken;
  if (csrf) {
    const middleware: Middleware = {
      onRequest({ request }) {
        return withCsrf(request, csrf());
      },
    };
    client.use(middleware);
  }
  return client;
}
