import Link from "next/link";

import { webConfig } from "@/lib/config";
import { safeNext } from "@/lib/navigation";

import { SignInForm } from "./SignInForm";

export const metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const config = webConfig();
  const home = config.audience === "console" ? "/console" : "/";
  const next = safeNext((await searchParams).next, home);
  return (
    <main id="main">
      <h1>{config.audience === "console" ? "Staff sign-in" : "Sign in to Helio"}</h1>
      <SignInForm next={next} audience={config.audience} />
      <p>
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
      {config.audience === "portal" ? (
        <p>
          New here? <Link href="/sign-up">Create an account</Link>
        </p>
      ) : null}
    </main>
  );
}
