import path from "node:path";

import type { NextConfig } from "next";

import { staticSecurityHeaders } from "./src/lib/headers";

const repo = path.join(import.meta.dirname, "..");

const nextConfig: NextConfig = {
  // The container image runs the traced standalone server (deploy/images/web/Containerfile);
  // `make run` and the tests serve the same build through scripts/web-server.mjs.
  output: "standalone",
  outputFileTracingRoot: repo,
  poweredByHeader: false,
  // No image optimiser (the app ships its few icons as they are): the container image
  // leaves out sharp and its native libraries, which Next.js traces anyway.
  images: { unoptimized: true },
  reactStrictMode: true,
  // The shared API client is TypeScript source in the monorepo.
  transpilePackages: ["@helio/api-client"],
  turbopack: { root: repo },
  async headers() {
    return [{ source: "/:path*", headers: staticSecurityHeaders() }];
  },
};

export default nextConfig;
