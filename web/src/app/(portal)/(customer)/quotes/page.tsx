import { ApiError } from "@helio/api-client";
import Link from "next/link";

import { LoadFailed } from "@/components/LoadFailed";
import { load } from "@/lib/server-api";

export const metadata = { title: "Your quotes" };

export default async function QuotesPage() {
  const page = await load((api) => api.GET("/api/v1/quotes"));
  if (page instanceof ApiError) return <LoadFailed title="Your quotes" error={page} />;
  return (
    <main id="main">
      <h1>Your quotes</h1>
      {page.items.length === 0 ? (
        <p>
          No quote yet. <Link href="/sites">Open one of your homes</Link> and ask for one.
        </p>
      ) : (
        <ul>
          {page.items.map((q) => (
            <li key={q.id}>
              <Link href={`/quotes/${q.id}`}>
                {q.system_kwp} kWp for {q.net_price} {q.currency}
              </Link>{" "}
              {q.expired ? <span className="badge">expired</span> : <span className="badge">valid until {q.valid_until.slice(0, 10)}</span>}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
