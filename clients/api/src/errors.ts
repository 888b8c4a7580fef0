/**
 * The API's error envelope as typed errors: one plain sentence for people,
 * the request id support needs, and 422 field errors keyed by form field.
 */

export interface ErrorEnvelope {
  error: {
    code: string;
    message: string;
    request_id: string;
    fields?: Record<string, string>;
  };
}

/** Sentences for codes whose server message is written for developers, not people. */
const PLAIN_WORDS: Record<string, string> = {
  unauthenticated: "Please sign in to continue.",
  forbidden: "Your account may not do this.",
  not_found: "We could not find that. It may have been removed, or it is not yours.",
  csrf_failed: "Your session check failed. Reload the page and try again.",
  origin_refused: "This request came from a page we do not accept requests from.",
  rate_limited: "Too many attempts. Please wait a moment and try again.",
  unavailable: "The service is briefly unavailable. Please try again in a minute.",
  internal_error: "Something went wrong on our side. Please try again.",
  validation_failed: "Some fields need attention.",
  pow_required: "We need a quick check that you are not a robot; it runs in your browser.",
  network_error: "We could not reach the server. Check your connection and try again.",
};

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly fields: Record<string, string>;
  readonly retryAfterSeconds: number | null;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    requestId: string | null;
    fields?: Record<string, string>;
    retryAfterSeconds?: number | null;
  }) {
    super(init.message);
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.fields = init.fields ?? {};
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }

  /** One plain sentence for a person (never a stack, never raw JSON). */
  get sentence(): string {
    const plain = PLAIN_WORDS[this.code];
    const base = plain ?? (this.message || "Something went wrong.");
    if (this.code === "rate_limited" && this.retryAfterSeconds) {
      return `Too many attempts. Please try again in ${waitWords(this.retryAfterSeconds)}.`;
    }
    return base;
  }

  /** The sentence followed by the request id, for support to find the log line. */
  get withReference(): string {
    return this.requestId ? `${this.sentence} (reference ${this.requestId})` : this.sentence;
  }
}

function waitWords(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

export function isEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { code?: unknown }).code === "string" &&
    typeof (error as { message?: unknown }).message === "string"
  );
}

/** Build the typed error of a failed response from its status, body and headers. */
export function errorFromResponse(status: number, body: unknown, headers: Headers): ApiError {
  const retry = Number.parseInt(headers.get("retry-after") ?? "", 10);
  const retryAfterSeconds = Number.isFinite(retry) && retry > 0 ? retry : null;
  const headerId = headers.get("x-request-id");
  if (isEnvelope(body)) {
    return new ApiError({
      status,
      code: body.error.code,
      message: body.error.message,
      requestId: body.error.request_id || headerId,
      fields: fieldErrors(body.error.fields),
      retryAfterSeconds,
    });
  }
  return new ApiError({
    status,
    code: status >= 500 ? "internal_error" : "unexpected_response",
    message: `The server answered ${status}.`,
    requestId: headerId,
    retryAfterSeconds,
  });
}

/** An error for a request that never got an answer. */
export function networkError(): ApiError {
  return new ApiError({
    status: 0,
    code: "network_error",
    message: "The server could not be reached.",
    requestId: null,
  });
}

/**
 * Field errors keyed by the form field's name: the API names a field by its
 * path ("address.city", "roof_planes.0.tilt_deg"); a query or header location
 * keeps its prefix off so the form sees the bare name.
 */
export function fieldErrors(fields: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, reason] of Object.entries(fields ?? {})) {
    const name = path.replace(/^(query|path|header)\./, "");
    out[name] = reason;
  }
  return out;
}
