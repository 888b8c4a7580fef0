/** Where the e2e stack runs: ports from 18420 up (overridable), a temp dir, a fresh database. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Stack {
  apiUrl: string;
  portalUrl: string;
  consoleUrl: string;
  mailDir: string;
  dataDir: string;
  database: string;
  redisUrl: string;
  redisNumber: number;
  runToken: string;
  pids: number[];
  /** The API process: SIGUSR1 moves its clock (backend/tests/fixtures/e2e_api.py). */
  apiPid: number;
  /** Demo accounts from `helio seed-demo`: email → password. */
  passwords: Record<string, string>;
  /** What the tests learnt on the way (TOTP secrets, the API clock's offset). */
  state: SharedState;
}

export interface SharedState {
  /** Seconds the API clock runs ahead of the wall clock. */
  clockOffset: number;
  /** TOTP secret per email, once enrolled. */
  totp: Record<string, string>;
  /** The last TOTP time step used per email (the API refuses a step twice). */
  lastStep: Record<string, number>;
}

const base = Number(process.env.HELIO_E2E_BASE_PORT ?? "18420");
export const STATE_FILE = path.join(os.tmpdir(), `helio-e2e-${base}.json`);

export function ports() {
  return { api: base, portal: base + 1, console: base + 2, sink: base + 3 };
}

export function readStack(): Stack {
  return JSON.parse(fs.readFileSync(STATE_FILE, "utf8")) as Stack;
}

export function writeStack(stack: Stack): void {
  fs.writeFileSync(STATE_FILE, JSON.stringify(stack), { mode: 0o600 });
}

/** Change the shared state (tests run one at a time, in one worker). */
export function updateState(change: (state: SharedState) => void): SharedState {
  const stack = readStack();
  change(stack.state);
  writeStack(stack);
  return stack.state;
}

/** The HELIO_* environment of the stack's API, worker and web servers (and of a `helio` command run against it). */
export function helioEnv(stack: Stack, corsOrigins: string[] = []): NodeJS.ProcessEnv {
  const p = ports();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HELIO_ENV: "development",
    HELIO_DATA_DIR: stack.dataDir,
    HELIO_DATABASE_URL: `mysql+asyncmy://root@127.0.0.1:3306/${stack.database}`,
    HELIO_REDIS_URL: stack.redisUrl,
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
    HELIO_CORS_ORIGINS: corsOrigins.join(","),
  };
  delete env.HELIO_SMTP_URL;
  return env;
}
