import type { Schemas } from "@helio/api-client";

import { STATUS_LABELS, STEPS, type OrderStatus } from "@/lib/orders";

/** Where the order stands among its steps (an ordered list; the current step marked). */
export function OrderProgress({ status }: { status: OrderStatus }) {
  const reached = STEPS.indexOf(status);
  return (
    <ol className="progress" aria-label="Steps of the order">
      {STEPS.map((step, i) => {
        const state = status === "cancelled" ? "todo" : i < reached ? "done" : i === reached ? "current" : "todo";
        return (
          <li key={step} className={state} aria-current={state === "current" ? "step" : undefined}>
            {STATUS_LABELS[step]}
            {state === "done" ? <span className="visually-hidden"> (done)</span> : null}
          </li>
        );
      })}
    </ol>
  );
}

const KINDS: Record<string, string> = {
  payment: "Deposit update",
  rescheduled: "Appointment moved",
  corrected: "On-site contact corrected",
};

function describe(entry: Schemas["TimelineEntryRead"]): string {
  const to = STATUS_LABELS[entry.to_status as OrderStatus] ?? entry.to_status.replaceAll("_", " ");
  if (entry.kind === "step") return to;
  return `${KINDS[entry.kind] ?? entry.kind.replaceAll("_", " ")} (${to.toLowerCase()})`;
}

/** Every event of the order, oldest first; notes are people's words, rendered as text. */
export function OrderTimeline({ entries, showActors = false }: { entries: Schemas["TimelineEntryRead"][]; showActors?: boolean }) {
  if (entries.length === 0) return <p>Nothing has happened yet.</p>;
  return (
    <ol className="timeline" data-testid="timeline">
      {entries.map((entry) => (
        <li key={entry.seq} data-testid="timeline-entry">
          <p>
            <strong>{describe(entry)}</strong>{" "}
            <time dateTime={entry.at}>{entry.at.slice(0, 16).replace("T", " ")} UTC</time>
          </p>
          <p className="hint">
            by {entry.actor_role}
            {showActors && entry.actor_id ? <span className="reference"> {entry.actor_id}</span> : null}
          </p>
          {entry.note ? <p>{entry.note}</p> : null}
        </li>
      ))}
    </ol>
  );
}
