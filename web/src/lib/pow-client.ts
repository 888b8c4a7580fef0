"use client";

import { ApiError, needsPow, POW_HEADER, unwrap } from "@helio/api-client";

import { browserApi } from "./browser-api";

type Scope = "login" | "register" | "forgot" | "lead";

function solveInWorker(challenge: string, bits: number): Promise<string> {
  const worker = new Worker(new URL("./pow.worker.ts", import.meta.url), { type: "module", name: "helio-pow" });
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ solution: string | null }>) => {
      worker.terminate();
      if (event.data.solution) resolve(event.data.solution);
      else reject(new Error("proof of work failed"));
    };
    worker.onerror = () => {
      worker.terminate();
      reject(new Error("proof of work failed"));
    };
    worker.postMessage({ challenge, bits });
  });
}

/**
 * Make a call; when the API asks for proof of work, fetch a challenge, solve
 * it in a Web Worker and make the call once more with the solution.
 */
export async function withProofOfWork<T>(
  scope: Scope,
  call: (headers: Record<string, string>) => Promise<T>,
  onSolving?: (solving: boolean) => void,
): Promise<T> {
  try {
    return await call({});
  } catch (error) {
    if (!(error instanceof ApiError) || !needsPow(error.code)) throw error;
  }
  onSolving?.(true);
  try {
    const challenge = await unwrap(browserApi().GET("/api/v1/auth/challenge", { params: { query: { scope } } }));
    const solution = await solveInWorker(challenge.challenge, challenge.difficulty_bits);
    return await call({ [POW_HEADER]: solution });
  } finally {
    onSolving?.(false);
  }
}
