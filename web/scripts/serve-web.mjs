#!/usr/bin/env node
// Serve one build of the web app as two servers: the customer portal and the
// staff console, each on its own host name (so each keeps its own cookie jar).
// Env: HELIO_WEB_PORTAL_URL, HELIO_WEB_CONSOLE_URL, HELIO_API_URL, HELIO_WEB_HOST.
import { spawn } from "node:child_process";
import path from "node:path";

const webDir = path.resolve(import.meta.dirname, "..");
const next = path.resolve(webDir, "..", "node_modules", "next", "dist", "bin", "next");
const host = process.env.HELIO_WEB_HOST ?? "127.0.0.1";
const children = [];

function serve(audience, url) {
  const port = new URL(url).port || "80";
  const child = spawn(process.execPath, [next, "start", "--hostname", host, "--port", port], {
    cwd: webDir,
    env: { ...process.env, HELIO_WEB_AUDIENCE: audience, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  child.on("exit", (code) => {
    console.error(`web ${audience} server stopped (${code ?? "signal"})`);
    stop(code ?? 1);
  });
  children.push(child);
  console.log(`${audience === "portal" ? "customer portal" : "staff console  "}: ${url}`);
}

function stop(code) {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  process.exit(code);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(0));
serve("portal", process.env.HELIO_WEB_PORTAL_URL ?? "http://portal.localhost:3000");
serve("console", process.env.HELIO_WEB_CONSOLE_URL ?? "http://console.localhost:3001");
