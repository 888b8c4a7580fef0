"use client";

import { unwrap, type Schemas } from "@helio/api-client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { RoofPlanesFields } from "@/components/RoofPlanesFields";
import { browserApi } from "@/lib/browser-api";
import { formFieldErrors, roofPlanesFromForm } from "@/lib/forms";
import { useAction } from "@/lib/use-action";

export function SiteActions({ site }: { site: Schemas["SiteRead"] }) {
  const router = useRouter();
  const { busy, problem, run, fields } = useAction();
  const [editing, setEditing] = useState(false);
  const path = { params: { path: { site_id: site.id } } };
  const api = browserApi();

  async function quote() {
    const made = await run(() => unwrap(api.POST("/api/v1/quotes", { body: { site_id: site.id } })));
    if (made) router.push(`/quotes/${made.id}`);
  }

  async function savePlanes(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const roof_planes = roofPlanesFromForm(new FormData(event.currentTarget));
    const ok = await run(() => unwrap(api.PATCH("/api/v1/sites/{site_id}", { ...path, body: { roof_planes } })));
    if (ok) {
      setEditing(false);
      router.refresh();
    }
  }

  async function remove() {
    const ok = await run(() => unwrap(api.DELETE("/api/v1/sites/{site_id}", path)).then(() => true));
    if (ok) router.push("/sites");
  }

  return (
    <section className="card" aria-labelledby="actions-title">
      <h2 id="actions-title">Next</h2>
      <ErrorNotice problem={problem} />
      <div className="actions">
        <button type="button" onClick={quote} disabled={busy || !site.usage}>
          Get a quote
        </button>
        <button type="button" className="secondary" onClick={() => setEditing(!editing)}>
          Change the roof planes
        </button>
        <button type="button" className="secondary" onClick={remove} disabled={busy}>
          Remove this home
        </button>
      </div>
      {!site.usage ? <p className="hint">Add your electricity use first: the quote sizes the system to it.</p> : null}
      {busy ? <p role="status">Working… a quote simulates a whole year of sunshine, which takes a few seconds.</p> : null}
      {editing ? (
        <form onSubmit={savePlanes} noValidate>
          <RoofPlanesFields initial={site.roof_planes} errors={formFieldErrors(fields)} />
          <button type="submit" disabled={busy}>
            Save the roof planes
          </button>
        </form>
      ) : null}
    </section>
  );
}
