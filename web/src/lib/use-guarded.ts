"use client";

import { useCallback, useRef, useState } from "react";

import { useAction } from "./use-action";

/**
 * Like useAction, but an answer of `step_up_required` keeps the action and
 * asks for a step-up; once confirmed, the action runs again.
 */
export function useGuardedAction() {
  const action = useAction();
  const [needsStepUp, setNeedsStepUp] = useState(false);
  const pending = useRef<(() => Promise<unknown>) | null>(null);
  const { run, setProblem } = action;

  const guarded = useCallback(
    async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
      let stepUp = false;
      const result = await run(async () => {
        try {
          return await work();
        } catch (error) {
          if ((error as { code?: string }).code === "step_up_required") stepUp = true;
          throw error;
        }
      });
      if (stepUp) {
        pending.current = work;
        setProblem(null);
        setNeedsStepUp(true);
      }
      return result;
    },
    [run, setProblem],
  );

  const stepUpDone = useCallback(async () => {
    setNeedsStepUp(false);
    const work = pending.current;
    pending.current = null;
    if (work) await guarded(work);
  }, [guarded]);

  return { ...action, guarded, needsStepUp, stepUpDone };
}
