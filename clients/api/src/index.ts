export { createHelioClient, type ClientOptions, type HelioClient } from "./client";
export { CSRF_COOKIE_NAMES, CSRF_HEADER, csrfFromCookieString, isUnsafeMethod, withCsrf } from "./csrf";
export { ApiError, errorFromResponse, fieldErrors, isEnvelope, networkError, type ErrorEnvelope } from "./errors";
export { leadingZeroBits, needsPow, POW_HEADER, solvePow, type PowChallenge } from "./pow";
export { unwrap, type FetchResult } from "./unwrap";
export type { components, operations, paths } from "./schema";

import type { components } from "./schema";
export type Schemas = components["schemas"];
