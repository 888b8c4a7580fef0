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
}

const base = Number(process.env.HELIO_E2E_BASE_PORT ?? "18420");
export const STATE_FILE = path.join(os.tmpdir(), `helio-e2e-${base}.json`);

export function ports() {
  return { api: base, portal: base + 1, console: base + 2, sink: base + 3 };
}

export function readStack(): Stack {
  return JSON.parse(fs.readFileSync(STATE_FILE, "utf8")) as Stack;
}
