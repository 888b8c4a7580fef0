"use client";

import { useCallback, useRef, useState } from "react";

import { useAction } from "./use-action";

interface Pending {
  work: () => Promise<unknown>;
  settle: (result: unknown) => void;
}

/**
 * Like useAction, but an answer of `step_up_required` keeps the action and asks for a
 * step-up; once confirmed, the action runs again. The caller's promise settles with the
 * result of that second run, so `if (await guarded(...))` reads the same either way.
 */
export function useGuardedAction() {
  const action = useAction();
  const [needsStepUp, setNeedsStepUp] = useState(false);
  const pending = useRef<Pending | null>(null);
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
      if (!stepUp) return result;
      setProblem(null);
      setNeedsStepUp(true);
      return new Promise<T | undefined>((settle) => {
        pending.current = { work, settle: settle as (result: unknown) => void };
      });
    },
    [run, setProblem],
  );

  const stepUpDone = useCallback(async () => {
    setNeedsStepUp(false);
    const waiting = pending.current;
    pending.current = null;
    if (waiting) waiting.settle(await guarded(waiting.work));
  }, [guarded]);

  return { ...action, guarded, needsStepUp, stepUpDone };
}
