import Link from "next/link";

import { SignOutButton } from "./SignOutButton";

export interface NavItem {
  href: string;
  label: string;
}

export function SiteHeader({ home, title, items, signedIn }: { home: string; title: string; items: NavItem[]; signedIn: boolean }) {
  return (
    <header className="site-header">
      <Link className="brand" href={home}>
        {title}
      </Link>
      {items.length > 0 ? (
        <nav aria-label="Main">
          <ul>
            {items.map((item) => (
              <li key={item.href}>
                <Link href={item.href}>{item.label}</Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <div className="session">{signedIn ? <SignOutButton /> : <Link href="/sign-in">Sign in</Link>}</div>
    </header>
  );
}
