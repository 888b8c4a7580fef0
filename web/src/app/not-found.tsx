import Link from "next/link";

export const metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <main id="main">
      <h1>We could not find that page</h1>
      <p>The address may be mistyped, or the page is not part of this site.</p>
      <p>
        <Link href="/">Go to the start page</Link>
      </p>
    </main>
  );
}
