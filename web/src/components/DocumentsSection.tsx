"use client";

import { unwrap } from "@helio/api-client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { TableWrap } from "@/components/TableWrap";
import { browserApi } from "@/lib/browser-api";
import { DOCUMENT_ACCEPT, documentHint, formatSize, kindLabel } from "@/lib/documents";
import type { Problem } from "@/lib/problem";
import { useAction } from "@/lib/use-action";

export interface DocumentRow {
  id: string;
  kind: string;
  size: number;
  created_at: string;
  file_name: string | null;
}

/** Upload a roof photo or bill for a site (and an order on it); list and download them. */
export function DocumentsSection({
  siteId,
  orderId,
  documents,
  loadProblem = null,
}: {
  siteId: string;
  orderId?: string;
  documents: DocumentRow[];
  loadProblem?: Problem | null;
}) {
  const router = useRouter();
  const { busy, problem, run } = useAction();
  const [hint, setHint] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  async function upload(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const file = form.get("file");
    const note = documentHint(file instanceof File ? file : null);
    setHint(note);
    if (note !== null) return;
    const ok = await run(() =>
      unwrap(
        browserApi().POST("/api/v1/sites/{site_id}/documents", {
          params: { path: { site_id: siteId }, query: orderId ? { order_id: orderId } : {} },
          // The browser sets the multipart boundary itself.
          body: form as never,
          bodySerializer: (body: unknown) => body as FormData,
        }),
      ),
    );
    if (ok) {
      formElement.reset();
      setSaved(true);
      router.refresh();
    }
  }

  return (
    <section className="card" aria-labelledby="documents-title">
      <h2 id="documents-title">Documents</h2>
      <ErrorNotice problem={loadProblem} />
      <ErrorNotice problem={problem} />
      {hint ? (
        <div className="alert error" role="alert">
          <p>{hint}</p>
        </div>
      ) : null}
      {saved ? <Notice>Your document is uploaded.</Notice> : null}
      <form onSubmit={upload} noValidate>
        <div>
          <label htmlFor="document-file">Roof photo or bill</label>
          <input id="document-file" name="file" type="file" accept={DOCUMENT_ACCEPT} required aria-describedby="document-file-hint" />
          <p className="hint" id="document-file-hint">
            JPEG, PNG or HEIC photo, or PDF bill, up to 10 MB. Photos are stored without their location data (HEIC as JPEG).
          </p>
        </div>
        <button type="submit" className="secondary" disabled={busy}>
          Upload document
        </button>
      </form>
      {loadProblem !== null ? null : documents.length === 0 ? (
        <p>No documents yet.</p>
      ) : (
        <TableWrap label="Your documents">
          <table>
            <caption>Your documents</caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Size</th>
                <th scope="col">Uploaded</th>
                <th scope="col">File</th>
              </tr>
            </thead>
            <tbody>
              {documents.map((doc) => (
                <tr key={doc.id} data-testid="document-row">
                  <td>{kindLabel(doc.kind)}</td>
                  <td>{formatSize(doc.size)}</td>
                  <td>{doc.created_at.slice(0, 10)}</td>
                  <td>
                    <a href={`/api/v1/documents/${encodeURIComponent(doc.id)}`} download>
                      Download {doc.file_name ?? kindLabel(doc.kind).toLowerCase()}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
