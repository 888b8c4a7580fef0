import Link from "next/link";

import { safeNext } from "@/lib/navigation";
import { requestAudience } from "@/lib/request-audience";

import { SignInForm } from "./SignInForm";

export const metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const audience = await requestAudience();
  const home = audience === "console" ? "/console" : "/";
  const next = safeNext((await searchParams).next, home);
  return (
    <main id="main">
      <h1>{audience === "console" ? "Staff sign-in" : "Sign in to Helio"}</h1>
      <SignInForm next={next} audience={audience} />
      <p>
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
      {audience === "portal" ? (
        <p>
          New here? <Link href="/sign-up">Create an account</Link>
        </p>
      ) : null}
    </main>
  );
}
