import { ApiError, errorFromResponse, networkError } from "./errors";

/** What every openapi-fetch call resolves to. */
export interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Await an openapi-fetch call and return its data, or throw the typed ApiError
 * the error envelope describes. Answers without a body (204) return undefined.
 */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (thrown) {
    if (thrown instanceof ApiError) throw thrown;
    throw networkError();
  }
  const { data, error, response } = result;
  if (!response.ok || error !== undefined) {
    throw errorFromResponse(response.status, error, response.headers);
  }
  return data as T;
}
