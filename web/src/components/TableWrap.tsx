import type { ReactNode } from "react";

/**
 * A wide table that scrolls sideways on a phone. The scrolling box is a named region a
 * keyboard can reach (tab to it, then arrow keys), or its overflow would be out of reach.
 */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
