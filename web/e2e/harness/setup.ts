import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import { helioEnv, ports, type Stack, writeStack } from "./stack";

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

export interface StackOptions {
  /** Start the portal and the console too (the mobile app's tests need the API only). */
  webServers: boolean;
  /** Extra origins the API allows (HELIO_CORS_ORIGINS), e.g. where the mobile web export is served. */
  corsOrigins: string[];
}

/** Start the API (with its mail sink) on MariaDB and Redis, the portal and the console. */
export default async function setup(): Promise<void> {
  await startStack({ webServers: true, corsOrigins: [] });
}

export async function startStack({ webServers, corsOrigins }: StackOptions): Promise<Stack> {
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
  const env = helioEnv(stack, corsOrigins);
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
  // Mail (verification, notices) is a job: the worker relays it from the outbox to the sink.
  start(path.join(bin, "helio"), ["worker"], backend);
  if (webServers) start(process.execPath, [path.join(repo, "web", "scripts", "serve-web.mjs")], path.join(repo, "web"));
  await waitFor(`${stack.apiUrl}/readyz`);
  if (webServers) {
    await waitFor(`http://127.0.0.1:${p.portal}/offline`, { host: `portal.localhost:${p.portal}` });
    await waitFor(`http://127.0.0.1:${p.console}/offline`, { host: `console.localhost:${p.console}` });
  }
  return stack;
}
