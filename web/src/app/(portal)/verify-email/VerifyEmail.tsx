"use client";

import { unwrap } from "@helio/api-client";
import Link from "next/link";
import { useEffect, useState } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { useMailToken } from "@/components/TokenAction";
import { browserApi } from "@/lib/browser-api";
import { useAction } from "@/lib/use-action";

export function VerifyEmail() {
  const { token, ready } = useMailToken();
  const { problem, run } = useAction();
  const [done, setDone] = useState(false);

  useEffect(() => {
    if (!token) return;
    void run(async () => {
      await unwrap(browserApi().POST("/api/v1/auth/verify-email", { body: { token } }));
      setDone(true);
    });
  }, [token, run]);

  if (!ready) return <p>Checking your link…</p>;
  if (!token) {
    return <ErrorNotice problem={{ sentence: "This link is incomplete. Open the link from the mail again.", requestId: null, code: "no_token", fields: {} }} />;
  }
  if (done) {
    return (
      <Notice>
        <p>Your email address is confirmed.</p>
        <p>
          <Link href="/sign-in">Sign in</Link>
        </p>
      </Notice>
    );
  }
  return problem ? <ErrorNotice problem={problem} /> : <p role="status">Confirming…</p>;
}
