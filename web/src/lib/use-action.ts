"use client";

import { useCallback, useState } from "react";

import { toProblem, type Problem } from "./problem";

/** Run an API action with a busy flag and a plain-worded problem on failure. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setProblem(null);
    try {
      return await action();
    } catch (error) {
      setProblem(toProblem(error));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, problem, setProblem, run, fields: problem?.fields ?? {} };
}
