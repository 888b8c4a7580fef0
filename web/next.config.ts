import path from "node:path";

import type { NextConfig } from "next";

import { staticSecurityHeaders } from "./src/lib/headers";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // The shared API client is TypeScript source in the monorepo.
  transpilePackages: ["@helio/api-client"],
  turbopack: { root: path.join(import.meta.dirname, "..") },
  async headers() {
    return [{ source: "/:path*", headers: staticSecurityHeaders(process.env.HELIO_WEB_ORIGIN ?? "") }];
  },
};

export default nextConfig;
