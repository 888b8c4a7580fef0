"use client";

import { unwrap } from "@helio/api-client";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { browserApi } from "@/lib/browser-api";
import { useAction } from "@/lib/use-action";

export function Attest() {
  const router = useRouter();
  const { busy, problem, run, fields } = useAction();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const note = String(new FormData(event.currentTarget).get("note")).trim() || null;
    const ok = await run(() => unwrap(browserApi().POST("/api/v1/admin/access-review/attest", { body: { note } })));
    if (ok) router.refresh();
  }

  return (
    <form onSubmit={submit} noValidate className="card" aria-label="Attest the review">
      <ErrorNotice problem={problem} />
      <Field label="Note (optional)" name="note" maxLength={1000} errors={fields} />
      <button type="submit" disabled={busy}>
        I have reviewed these accounts
      </button>
    </form>
  );
}
