import { ApiError } from "@helio/api-client";

import { load } from "@/lib/server-api";

import { DeleteAccount } from "./DeleteAccount";

export const metadata = { title: "Your data" };

export default async function DataPage() {
  const mfa = await load((api) => api.GET("/api/v1/auth/mfa"));
  const hasFactor = !(mfa instanceof ApiError) && (mfa.totp || mfa.passkeys.length > 0);
  return (
    <main id="main">
      <h1>Your data</h1>
      <section className="card" aria-labelledby="export-title">
        <h2 id="export-title">Download a copy</h2>
        <p>Everything we hold about you — profile, homes, quotes, sessions and consents — as one JSON file.</p>
        <a className="button" href="/api/v1/me/export" download="helio-export.json">
          Download my data
        </a>
      </section>
      <section className="card" aria-labelledby="delete-title">
        <h2 id="delete-title">Delete your account</h2>
        <p>
          This signs you out everywhere and destroys the key that protects your personal data, so it can never be
          read again. It cannot be undone.
        </p>
        <DeleteAccount hasFactor={hasFactor} />
      </section>
    </main>
  );
}
