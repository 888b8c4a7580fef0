import { ApiError } from "@helio/api-client";

import { Notice } from "@/components/ErrorNotice";
import { LoadFailed } from "@/components/LoadFailed";
import { PasswordChange } from "@/components/PasswordChange";
import { SecurityPanel } from "@/components/SecurityPanel";
import { load } from "@/lib/server-api";

export const metadata = { title: "Sign-in and two-step verification" };

export default async function SecurityPage({ searchParams }: { searchParams: Promise<{ welcome?: string }> }) {
  const status = await load((api) => api.GET("/api/v1/auth/mfa"));
  if (status instanceof ApiError) return <LoadFailed title="Sign-in security" error={status} />;
  const welcome = (await searchParams).welcome === "1";
  return (
    <main id="main">
      <h1>Sign-in security</h1>
      {welcome && !status.totp && status.passkeys.length === 0 ? (
        <Notice kind="info">
          Protect your account with a second step: an authenticator app or a passkey. You need one before you
          order.
        </Notice>
      ) : null}
      <SecurityPanel status={status} />
      <PasswordChange />
    </main>
  );
}
