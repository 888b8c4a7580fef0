import type { MetadataRoute } from "next";

import { webConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

export default function manifest(): MetadataRoute.Manifest {
  const console = webConfig().audience === "console";
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
