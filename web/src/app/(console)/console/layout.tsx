import type { ReactNode } from "react";

import { SiteHeader } from "@/components/SiteHeader";
import { enforcePageAudience } from "@/lib/page-audience";
import { allowedSections } from "@/lib/console-nav";
import { requireStaff } from "@/lib/staff-session";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  await enforcePageAudience();
  const check = await requireStaff();
  if (!check.ok) {
    return (
      <>
        <SiteHeader home="/console" title="Helio staff" items={[]} signedIn />
        <main id="main">
          <h1>This console is for staff</h1>
          <p className="alert error" role="alert">
            A customer account cannot use the staff console. Sign out, and use the customer portal instead.
          </p>
        </main>
      </>
    );
  }
  const items = check.me.mfa_verified ? allowedSections(check.me.permissions) : [];
  return (
    <>
      <SiteHeader home="/console" title="Helio staff" items={items} signedIn />
      {children}
    </>
  );
}
