import { ApiError } from "@helio/api-client";

import { Notice } from "@/components/ErrorNotice";
import { LoadFailed } from "@/components/LoadFailed";
import { PasswordChange } from "@/components/PasswordChange";
import { SecurityPanel } from "@/components/SecurityPanel";
import { SessionsList } from "@/components/SessionsList";
import { load } from "@/lib/server-api";
import { requireStaff } from "@/lib/staff-session";

export const metadata = { title: "My security" };

export default async function StaffSecurityPage() {
  const check = await requireStaff();
  if (!check.ok) return null;
  const [status, sessions] = await Promise.all([
    load((api) => api.GET("/api/v1/auth/mfa")),
    load((api) => api.GET("/api/v1/auth/sessions")),
  ]);
  if (status instanceof ApiError) return <LoadFailed title="My security" error={status} />;
  return (
    <main id="main">
      <h1>My security</h1>
      {!check.me.mfa_verified ? (
        <Notice kind="info">
          Staff accounts must use two-step verification. Set up an authenticator app or a passkey, then sign in
          again to open the console.
        </Notice>
      ) : null}
      <SecurityPanel status={status} />
      {sessions instanceof ApiError ? null : (
        <section aria-labelledby="sessions-title">
          <h2 id="sessions-title">Sessions</h2>
          <SessionsList sessions={sessions.items} hasFactor={status.totp || status.passkeys.length > 0} />
        </section>
      )}
      <PasswordChange />
    </main>
  );
}
