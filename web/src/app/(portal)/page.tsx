import Link from "next/link";

import { whoami } from "@/lib/server-api";

export default async function HomePage() {
  const me = await whoami();
  if (me?.kind === "customer") {
    return (
      <main id="main">
        <h1>Welcome back</h1>
        <div className="card">
          <h2>Your next steps</h2>
          <ol>
            <li>
              <Link href="/sites/new">Describe your home and roof</Link>
            </li>
            <li>Add your electricity use (twelve monthly figures or your utility&apos;s Green Button file)</li>
            <li>
              <Link href="/quotes">Get and compare quotes</Link>
            </li>
          </ol>
        </div>
        <p>
          <Link href="/account/security">Set up two-step verification</Link> to keep your account safe.
        </p>
      </main>
    );
  }
  return (
    <main id="main">
      <h1>Solar panels for your home</h1>
      <p>Tell us about your roof and your electricity use, and get a priced quote in minutes.</p>
      <div className="actions">
        <Link className="button" href="/sign-up">
          Create an account
        </Link>
        <Link className="button secondary" href="/sign-in">
          Sign in
        </Link>
      </div>
    </main>
  );
}
