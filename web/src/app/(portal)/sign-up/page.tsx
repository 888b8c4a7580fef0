import Link from "next/link";

import { SignUpForm } from "./SignUpForm";

export const metadata = { title: "Create an account" };

export default function SignUpPage() {
  return (
    <main id="main">
      <h1>Create your Helio account</h1>
      <p>Get a quote for solar panels on your roof in a few minutes.</p>
      <SignUpForm />
      <p>
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </main>
  );
}
