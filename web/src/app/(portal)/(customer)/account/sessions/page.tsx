import { ApiError } from "@helio/api-client";

import { LoadFailed } from "@/components/LoadFailed";
import { SessionsList } from "@/components/SessionsList";
import { load } from "@/lib/server-api";

export const metadata = { title: "Sessions and devices" };

export default async function SessionsPage() {
  const [sessions, mfa] = await Promise.all([
    load((api) => api.GET("/api/v1/auth/sessions")),
    load((api) => api.GET("/api/v1/auth/mfa")),
  ]);
  if (sessions instanceof ApiError) return <LoadFailed title="Sessions and devices" error={sessions} />;
  const hasFactor = !(mfa instanceof ApiError) && (mfa.totp || mfa.passkeys.length > 0);
  return (
    <main id="main">
      <h1>Sessions and devices</h1>
      <SessionsList sessions={sessions.items} hasFactor={hasFactor} />
    </main>
  );
}
