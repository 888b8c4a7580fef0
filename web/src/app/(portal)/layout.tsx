import type { ReactNode } from "react";

import { SiteHeader } from "@/components/SiteHeader";
import { enforcePageAudience } from "@/lib/page-audience";
import { whoami } from "@/lib/server-api";

const CUSTOMER_NAV = [
  { href: "/sites", label: "Homes" },
  { href: "/quotes", label: "Quotes" },
  { href: "/orders", label: "Orders" },
  { href: "/account", label: "Account" },
];

export default async function PortalLayout({ children }: { children: ReactNode }) {
  await enforcePageAudience();
  const me = await whoami();
  const customer = me?.kind === "customer";
  return (
    <>
      <SiteHeader home="/" title="Helio" items={customer ? CUSTOMER_NAV : []} signedIn={me !== null} />
      {children}
    </>
  );
}
