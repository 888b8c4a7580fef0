"use client";

import { unwrap, type Schemas } from "@helio/api-client";
import { useRouter } from "next/navigation";

import { ErrorNotice } from "@/components/ErrorNotice";
import { StepUpForm } from "@/components/StepUpForm";
import { browserApi } from "@/lib/browser-api";
import { useGuardedAction } from "@/lib/use-guarded";
import { TableWrap } from "@/components/TableWrap";

function when(iso: string): string {
  return new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

export function SessionsList({ sessions, hasFactor }: { sessions: Schemas["SessionRead"][]; hasFactor: boolean }) {
  const router = useRouter();
  const { busy, problem, guarded, needsStepUp, stepUpDone } = useGuardedAction();
  const api = browserApi();

  async function revoke(id: string, current: boolean) {
    const done = await guarded(() =>
      unwrap(api.DELETE("/api/v1/auth/sessions/{session_id}", { params: { path: { session_id: id } } })).then(() => true),
    );
    if (done && current) window.location.replace(new URL("/sign-in", window.location.origin));
    else if (done) router.refresh();
  }

  async function revokeOthers() {
    const done = await guarded(() => unwrap(api.DELETE("/api/v1/auth/sessions")).then(() => true));
    if (done) router.refresh();
  }

  return (
    <>
      <ErrorNotice problem={problem} />
      {needsStepUp ? <StepUpForm onDone={stepUpDone} usePassword={!hasFactor} /> : null}
      <TableWrap label="Your sessions and devices">
        <table>
          <caption className="visually-hidden">Your sessions and devices</caption>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Network</th>
              <th scope="col">Last seen</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id}>
                <td>
                  {s.device ?? "Unknown device"} {s.current ? <span className="badge">This device</span> : null}
                </td>
                <td>{s.network ?? "—"}</td>
                <td>{when(s.last_seen_at)}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => revoke(s.id, s.current)} disabled={busy}>
                    {s.current ? "Sign out here" : "End this session"}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <p>
        <button type="button" className="secondary" onClick={revokeOthers} disabled={busy}>
          End all other sessions
        </button>
      </p>
    </>
  );
}
