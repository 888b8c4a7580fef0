import "server-only";

import { redirect } from "next/navigation";

import { currentPath, requireSession, type WhoAmI } from "./server-api";

export type StaffCheck = { ok: true; me: WhoAmI } | { ok: false; reason: "customer" };

/** A staff session with MFA done; without MFA, only the security page is reachable. */
export async function requireStaff(): Promise<StaffCheck> {
  const me = await requireSession();
  if (me.kind !== "staff") return { ok: false, reason: "customer" };
  if (!me.mfa_verified && (await currentPath()) !== "/console/security") redirect("/console/security?enrol=1");
  return { ok: true, me };
}
