import type { MetadataRoute } from "next";

import { requestAudience } from "@/lib/request-audience";

export const dynamic = "force-dynamic";

export default async function manifest(): Promise<MetadataRoute.Manifest> {
  const console = (await requestAudience()) === "console";
  return {
    id: console ? "/console" : "/",
    name: console ? "Helio staff console" : "Helio solar",
    short_name: console ? "Helio staff" : "Helio",
    description: console ? "Helio's staff console." : "Solar panels for your home.",
    start_url: console ? "/console" : "/",
    scope: "/",
    display: "standalone",
    background_color: "#f3f5f9",
    theme_color: "#8a4b00",
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
  };
}
