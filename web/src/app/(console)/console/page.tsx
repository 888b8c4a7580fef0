import Link from "next/link";

import { allowedSections } from "@/lib/console-nav";
import { requireStaff } from "@/lib/staff-session";

export const metadata = { title: "Console" };

export default async function ConsoleHome() {
  const check = await requireStaff();
  if (!check.ok) return null;
  return (
    <main id="main">
      <h1>Staff console</h1>
      <p>Signed in with the roles: {check.me.roles.join(", ")}.</p>
      <ul>
        {allowedSections(check.me.permissions).map((section) => (
          <li key={section.href}>
            <Link href={section.href}>{section.label}</Link>
          </li>
        ))}
      </ul>
    </main>
  );
}
