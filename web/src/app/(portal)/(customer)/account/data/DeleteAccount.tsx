"use client";

import { unwrap } from "@helio/api-client";
import Link from "next/link";
import { useState } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { StepUpForm } from "@/components/StepUpForm";
import { browserApi } from "@/lib/browser-api";
import { useGuardedAction } from "@/lib/use-guarded";

export function DeleteAccount({ hasFactor }: { hasFactor: boolean }) {
  const { busy, problem, guarded, needsStepUp, stepUpDone } = useGuardedAction();
  const [confirming, setConfirming] = useState(false);
  const [deleted, setDeleted] = useState(false);

  async function remove() {
    const done = await guarded(() => unwrap(browserApi().DELETE("/api/v1/me")));
    if (done) setDeleted(true);
  }

  if (deleted) {
    return (
      <Notice>
        <p>Your account is deleted. Thank you for trying Helio.</p>
        <p>
          <Link href="/">Back to the start page</Link>
        </p>
      </Notice>
    );
  }
  return (
    <>
      <ErrorNotice problem={problem} />
      {needsStepUp ? <StepUpForm onDone={stepUpDone} usePassword={!hasFactor} /> : null}
      {confirming ? (
        <div className="actions">
          <button type="button" className="danger" onClick={remove} disabled={busy}>
            Yes, delete my account
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Keep my account
          </button>
        </div>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete my account
        </button>
      )}
    </>
  );
}
