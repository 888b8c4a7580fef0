import { ApiError } from "@helio/api-client";
import Link from "next/link";

import { LoadFailed } from "@/components/LoadFailed";
import { load } from "@/lib/server-api";

export const metadata = { title: "Your homes" };

export default async function SitesPage() {
  const page = await load((api) => api.GET("/api/v1/sites"));
  if (page instanceof ApiError) return <LoadFailed title="Your homes" error={page} />;
  return (
    <main id="main">
      <h1>Your homes</h1>
      {page.items.length === 0 ? <p>No home yet. Add one to get a quote.</p> : null}
      <ul>
        {page.items.map((site) => (
          <li key={site.id}>
            <Link href={`/sites/${site.id}`}>{site.label ?? site.address?.line1 ?? "Home"}</Link>{" "}
            {site.usage ? <span className="badge">usage added</span> : <span className="badge">usage missing</span>}
          </li>
        ))}
      </ul>
      <Link className="button" href="/sites/new">
        Add a home
      </Link>
    </main>
  );
}
