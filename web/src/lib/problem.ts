import { ApiError } from "@helio/api-client";

/** What a person sees of a failure: a sentence and the reference support asks for. */
export interface Problem {
  sentence: string;
  requestId: string | null;
  code: string;
  fields: Record<string, string>;
}

/** A plain, serialisable description of any thrown value (never its stack). */
export function toProblem(error: unknown): Problem {
  if (error instanceof ApiError) {
    return { sentence: error.sentence, requestId: error.requestId, code: error.code, fields: error.fields };
  }
  return { sentence: "Something went wrong. Please try again.", requestId: null, code: "client_error", fields: {} };
}
