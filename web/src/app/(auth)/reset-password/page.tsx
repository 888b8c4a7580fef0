"use client";

import { unwrap } from "@helio/api-client";

import { NewPasswordForm } from "@/components/NewPasswordForm";
import { browserApi } from "@/lib/browser-api";

export default function ResetPasswordPage() {
  return (
    <main id="main">
      <h1>Choose a new password</h1>
      <NewPasswordForm
        submitLabel="Set the password"
        doneText="Your password is changed and every session has ended. Sign in with the new password."
        send={(token, password) =>
          unwrap(browserApi().POST("/api/v1/auth/password/reset", { body: { token, new_password: password } }))
        }
      />
    </main>
  );
}
