import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { readStack, STATE_FILE } from "./stack";

const repo = path.resolve(import.meta.dirname, "..", "..", "..");

/** Stop what setup started and drop only what it created. */
export default async function teardown(): Promise<void> {
  const stack = readStack();
  for (const pid of stack.pids) {
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  execFileSync("mariadb", ["-uroot", "-h127.0.0.1", "-e", `DROP DATABASE IF EXISTS \`${stack.database}\``]);
  execFileSync(
    path.join(repo, ".venv", "bin", "python"),
    ["-c", `from tests.fixtures.redis_db import release; release(${JSON.stringify(stack.redisUrl)}, ${stack.redisNumber}, ${JSON.stringify(stack.runToken)})`],
    { cwd: path.join(repo, "backend") },
  );
  // The servers' log outlives the run in test-results/ (git-ignored; CI keeps it).
  const results = path.join(repo, "web", "test-results");
  fs.mkdirSync(results, { recursive: true });
  fs.copyFileSync(path.join(stack.dataDir, "stack.log"), path.join(results, "stack.log"));
  fs.rmSync(stack.dataDir, { recursive: true, force: true });
  fs.rmSync(STATE_FILE, { force: true });
}
