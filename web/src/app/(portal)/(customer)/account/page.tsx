import { ApiError } from "@helio/api-client";
import Link from "next/link";

import { LoadFailed } from "@/components/LoadFailed";
import { load } from "@/lib/server-api";

import { ProfileForm } from "./ProfileForm";

export const metadata = { title: "Your account" };

export default async function AccountPage() {
  const profile = await load((api) => api.GET("/api/v1/me"));
  if (profile instanceof ApiError) return <LoadFailed title="Your account" error={profile} />;
  return (
    <main id="main">
      <h1>Your account</h1>
      <nav aria-label="Account" className="actions">
        <Link href="/account/security">Sign-in and two-step verification</Link>
        <Link href="/account/sessions">Sessions and devices</Link>
        <Link href="/account/data">Your data</Link>
      </nav>
      <h2>Profile</h2>
      <p>
        Email: <strong>{profile.email}</strong> {profile.email_verified ? <span className="badge">confirmed</span> : null}
      </p>
      <ProfileForm profile={profile} />
    </main>
  );
}
