import type { ReactNode } from "react";

import { requireSession } from "@/lib/server-api";

/** Customer pages: a customer session, or the sign-in page; staff sessions are refused. */
export default async function CustomerLayout({ children }: { children: ReactNode }) {
  const me = await requireSession();
  if (me.kind !== "customer") {
    return (
      <main id="main">
        <h1>This is the customer portal</h1>
        <p>Staff accounts work in the staff console. Sign out here and use the console instead.</p>
      </main>
    );
  }
  return children;
}
