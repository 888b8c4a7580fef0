#!/usr/bin/env node
// One audience of the web app (HELIO_WEB_AUDIENCE) on HELIO_WEB_HOST:PORT: the built Next.js
// app behind a plain HTTP server that writes X-Forwarded-For from the socket before Next.js
// sees the request (Next.js itself keeps whatever a browser sent).
import http from "node:http";
import path from "node:path";

import next from "next";

import { forwardedFor, trustedProxies } from "./forwarded-for.mjs";

const dir = path.resolve(import.meta.dirname, "..");
const hostname = process.env.HELIO_WEB_HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? "3000");
const trusted = trustedProxies(process.env.HELIO_WEB_TRUSTED_PROXIES);

const app = next({ dev: false, dir, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

const server = http.createServer((request, response) => {
  request.headers["x-forwarded-for"] = forwardedFor(
    request.headers["x-forwarded-for"],
    request.socket.remoteAddress,
    trusted,
  );
  void handle(request, response);
});
server.listen(port, hostname);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref(); // a browser's open connection
  });
}
