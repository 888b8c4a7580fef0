import type { Schemas } from "@helio/api-client";

type Perm = Schemas["Perm"];

export interface Section {
  href: string;
  label: string;
  /** Shown when the account holds any of these permissions. */
  anyOf: Perm[];
}

/** The console's sections and the permissions that open them (from the API's matrix). */
export const SECTIONS: Section[] = [
  { href: "/console/customers", label: "Customers", anyOf: ["customers:read"] },
  { href: "/console/orders", label: "Orders", anyOf: ["staff_orders:read"] },
  { href: "/console/leads", label: "Leads", anyOf: ["leads:read"] },
  { href: "/console/pipeline", label: "Pipeline", anyOf: ["reports:read"] },
  { href: "/console/grants", label: "Access grants", anyOf: ["grants:request", "grants:read", "grants:decide"] },
  { href: "/console/ops", label: "Operations", anyOf: ["ops:read"] },
  { href: "/console/staff", label: "Staff", anyOf: ["staff:read"] },
  { href: "/console/access-review", label: "Access review", anyOf: ["access_review:manage"] },
  { href: "/console/audit", label: "Audit log", anyOf: ["audit:read"] },
  { href: "/console/alerts", label: "Alerts", anyOf: ["alerts:manage"] },
  { href: "/console/self-audit", label: "Security self-audit", anyOf: ["self_audit:read"] },
  { href: "/console/security", label: "My security", anyOf: ["session:self"] },
];

export function allowedSections(permissions: Partial<Record<Perm, string>>): Section[] {
  return SECTIONS.filter((section) => section.anyOf.some((perm) => perm in permissions));
}

export function may(permissions: Partial<Record<Perm, string>>, perm: Perm): boolean {
  return perm in permissions;
}
