import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import { ports, type Stack, writeStack } from "./stack";

const repo = path.resolve(import.meta.dirname, "..", "..", "..");
const backend = path.join(repo, "backend");
const bin = path.join(repo, ".venv", "bin");

async function waitFor(url: string, headers: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      const answer = await fetch(url, { headers });
      if (answer.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer`);
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/** The demo accounts `helio seed-demo` printed (passwords shown once). */
function demoPasswords(output: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of output.matchAll(/^\s+(\S+@\S+)\s+\S+\s+(\S+)\s*$/gm)) {
    if (match[1] && match[2]) found[match[1]] = match[2];
  }
  if (Object.keys(found).length < 5) throw new Error(`seed-demo printed no demo accounts:\n${output}`);
  return found;
}

/** Start the API (with its mail sink) on MariaDB and Redis, the portal and the console. */
export default async function setup(): Promise<void> {
  const p = ports();
  for (const port of Object.values(p)) {
    if (await listening(port)) throw new Error(`127.0.0.1:${port} is taken: choose other ports with HELIO_E2E_BASE_PORT`);
  }
  const runToken = crypto.randomBytes(6).toString("hex");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "helio-e2e-"));
  const database = `helio_e2e_${runToken}`;
  const redisServer = process.env.HELIO_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/0";
  const claimed = execFileSync(
    path.join(bin, "python"),
    ["-c", `from tests.fixtures.redis_db import claim; url, n = claim(${JSON.stringify(redisServer)}, ${JSON.stringify(runToken)}); print(url, n)`],
    { cwd: backend, encoding: "utf8" },
  ).trim().split(" ");
  const [redisUrl, redisNumber] = [claimed[0] ?? "", Number(claimed[1])];
  execFileSync("mariadb", ["-uroot", "-h127.0.0.1", "-e", `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`]);
  const stack: Stack = {
    apiUrl: `http://127.0.0.1:${p.api}`,
    portalUrl: `http://portal.localhost:${p.portal}`,
    consoleUrl: `http://console.localhost:${p.console}`,
    mailDir: path.join(dataDir, "mail"),
    dataDir,
    database,
    redisUrl,
    redisNumber,
    runToken,
    pids: [],
    apiPid: 0,
    passwords: {},
    state: { clockOffset: 0, totp: {}, lastStep: {} },
  };
  writeStack(stack);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HELIO_ENV: "development",
    HELIO_DATA_DIR: dataDir,
    HELIO_DATABASE_URL: `mysql+asyncmy://root@127.0.0.1:3306/${database}`,
    HELIO_REDIS_URL: redisUrl,
    HELIO_MAIL_SINK_PORT: String(p.sink),
    HELIO_HOST: "127.0.0.1",
    HELIO_PORT: String(p.api),
    HELIO_PUBLIC_URL: stack.portalUrl,
    HELIO_STAFF_URL: stack.consoleUrl,
    HELIO_COOKIE_SECURE: "true",
    // The web servers relay with the browser's address in X-Forwarded-For (web-server.mjs).
    HELIO_TRUSTED_PROXIES: "127.0.0.1/32",
    HELIO_API_URL: stack.apiUrl,
    HELIO_WEB_PORTAL_URL: stack.portalUrl,
    HELIO_WEB_CONSOLE_URL: stack.consoleUrl,
  };
  delete env.HELIO_SMTP_URL;
  execFileSync(path.join(bin, "helio"), ["migrate"], { cwd: backend, env, stdio: "ignore" });
  stack.passwords = demoPasswords(execFileSync(path.join(bin, "helio"), ["seed-demo"], { cwd: backend, env, encoding: "utf8" }));
  const log = fs.openSync(path.join(dataDir, "stack.log"), "a");
  const start = (cmd: string, args: string[], cwd: string) => {
    const pid = spawn(cmd, args, { cwd, env, stdio: ["ignore", log, log], detached: true }).pid ?? 0;
    stack.pids.push(pid);
    writeStack(stack);
    return pid;
  };
  stack.apiPid = start(path.join(bin, "python"), ["-m", "tests.fixtures.e2e_api"], backend);
  // Mail is a job: the worker delivers it to the API's mail sink (no HELIO_SMTP_URL).
  start(path.join(bin, "helio"), ["worker"], backend);
  start(process.execPath, [path.join(repo, "web", "scripts", "serve-web.mjs")], path.join(repo, "web"));
  await waitFor(`${stack.apiUrl}/readyz`);
  await waitFor(`http://127.0.0.1:${p.portal}/offline`, { host: `portal.localhost:${p.portal}` });
  await waitFor(`http://127.0.0.1:${p.console}/offline`, { host: `console.localhost:${p.console}` });
}
