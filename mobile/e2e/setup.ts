/**
 * The mobile app's browser tests: its web export, built to call the API directly, served by a
 * small static server on a free port, and the web app's harness (API on a fresh MariaDB
 * database and its own Redis database, demo data) starting the API only, with that port's
 * origin in its CORS allow-list (development settings of the test stack, never a default).
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import { startStack } from "../../web/e2e/harness/setup";
import { ports, writeStack } from "../../web/e2e/harness/stack";

const mobile = path.resolve(import.meta.dirname, "..");
const repo = path.resolve(mobile, "..");
export const EXPORT_DIR = path.join(mobile, "dist-web-e2e");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer`);
}

export default async function setup(): Promise<void> {
  const apiUrl = `http://127.0.0.1:${ports().api}`;
  // EXPO_PUBLIC_* is inlined at export time: this build calls the test API across origins.
  // Metro's transform cache (under TMPDIR) does not key on the variable, so this build gets a
  // cache of its own: the shared one would hand it, or later plain exports, the wrong address.
  fs.rmSync(EXPORT_DIR, { recursive: true, force: true });
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "helio-mobile-e2e-"));
  try {
    execFileSync(
      process.execPath,
      [path.join(repo, "node_modules", ".bin", "expo"), "export", "--platform", "web", "--output-dir", EXPORT_DIR],
      { cwd: mobile, env: { ...process.env, EXPO_PUBLIC_HELIO_API_URL: apiUrl, TMPDIR: cache, CI: "1" }, stdio: ["ignore", "ignore", "inherit"] },
    );
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const stack = await startStack({ webServers: false, corsOrigins: [appUrl] });
  if (stack.apiUrl !== apiUrl) throw new Error(`the API is at ${stack.apiUrl}, the export calls ${apiUrl}`);
  const server = spawn(process.execPath, [path.join(mobile, "e2e", "serve-static.mjs"), EXPORT_DIR, String(appPort)], {
    detached: true,
    stdio: "ignore",
  });
  stack.pids.push(server.pid ?? 0);
  writeStack(stack);
  await waitFor(appUrl);
  // Workers start after this and inherit the environment.
  process.env.HELIO_MOBILE_APP_URL = appUrl;
}
