"use client";

import "./globals.css";

export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body>
        <main id="main">
          <h1>Something went wrong</h1>
          <div className="alert error" role="alert">
            <p>Helio could not load. Please try again.</p>
            {error.digest ? <p className="reference">Reference {error.digest}</p> : null}
          </div>
          <button type="button" onClick={reset}>
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
