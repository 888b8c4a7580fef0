import { ApiError } from "@helio/api-client";

import { LoadFailed } from "@/components/LoadFailed";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";

import { SinksForm } from "./SinksForm";

export const metadata = { title: "Alerts" };

export default async function AlertsPage() {
  const check = await requireStaff();
  if (!check.ok) return null;
  const sinks = await load((api) => api.GET("/api/v1/admin/alerts/sinks"));
  if (sinks instanceof ApiError) return <LoadFailed title="Alerts" error={sinks} />;
  return (
    <main id="main">
      <h1>Where security alerts go</h1>
      <SinksForm sinks={sinks.items} />
    </main>
  );
}
