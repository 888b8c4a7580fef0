import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";

import { ServiceWorker } from "@/components/ServiceWorker";
import { requestAudience } from "@/lib/request-audience";

import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const console = (await requestAudience()) === "console";
  return {
    title: { default: console ? "Helio staff console" : "Helio", template: "%s · Helio" },
    description: console ? "Helio's staff console." : "Solar panels for your home: a quote in minutes.",
    manifest: "/manifest.webmanifest",
    icons: { icon: "/icons/icon-192.png", apple: "/icons/apple-touch-icon.png" },
    appleWebApp: { capable: true, title: "Helio", statusBarStyle: "default" },
    referrer: "same-origin",
  };
}

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: "#8a4b00",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request, so every script carries this request's CSP nonce.
  await connection();
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {children}
        <ServiceWorker />
      </body>
    </html>
  );
}
