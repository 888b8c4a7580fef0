"use client";

import { unwrap } from "@helio/api-client";

import { NewPasswordForm } from "@/components/NewPasswordForm";
import { browserApi } from "@/lib/browser-api";

export default function AcceptInvitationPage() {
  return (
    <main id="main">
      <h1>Join the Helio staff console</h1>
      <p>Choose your password. At your first sign-in you will set up two-step verification.</p>
      <NewPasswordForm
        submitLabel="Accept the invitation"
        doneText="Your account is ready."
        send={(token, password) =>
          unwrap(browserApi().POST("/api/v1/auth/invitations/accept", { body: { token, password } }))
        }
      />
    </main>
  );
}
