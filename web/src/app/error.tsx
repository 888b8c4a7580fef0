"use client";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main id="main">
      <h1>Something went wrong</h1>
      <div className="alert error" role="alert">
        <p>We could not show this page. Please try again.</p>
        {error.digest ? <p className="reference">Reference {error.digest}</p> : null}
      </div>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </main>
  );
}
