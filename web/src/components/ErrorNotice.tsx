import type { Problem } from "@/lib/problem";

/** A failure in plain words, with the request id to quote to support. */
export function ErrorNotice({ problem }: { problem: Problem | null }) {
  if (problem === null) return null;
  return (
    <div className="alert error" role="alert">
      <p>{problem.sentence}</p>
      {problem.requestId ? (
        <p className="reference">
          Reference: <span data-testid="request-id">{problem.requestId}</span>
        </p>
      ) : null}
    </div>
  );
}

export function Notice({ kind = "success", children }: { kind?: "success" | "info"; children: React.ReactNode }) {
  return (
    <div className={`alert ${kind}`} role="status">
      {children}
    </div>
  );
}
