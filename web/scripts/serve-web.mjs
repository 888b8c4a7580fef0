#!/usr/bin/env node
// Serve one build of the web app as two servers: the customer portal and the staff console,
// each on its own host name (so each keeps its own cookie jar), each behind the front of
// web-server.mjs that writes X-Forwarded-For from the socket.
//   node serve-web.mjs               serve both, print their URLs
//   node serve-web.mjs --check-ports exit 1, one line per address, when a port is taken
// Env: HELIO_WEB_PORTAL_URL, HELIO_WEB_CONSOLE_URL, HELIO_API_URL, HELIO_WEB_HOST,
//      HELIO_WEB_TRUSTED_PROXIES (proxies in front whose X-Forwarded-For is believed).
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";

const scripts = import.meta.dirname;
const host = process.env.HELIO_WEB_HOST ?? "127.0.0.1";
const servers = [
  {
    audience: "portal",
    what: "the customer portal",
    url: new URL(process.env.HELIO_WEB_PORTAL_URL ?? "http://portal.localhost:3000"),
    variable: "HELIO_WEB_PORTAL_PORT",
  },
  {
    audience: "console",
    what: "the staff console",
    url: new URL(process.env.HELIO_WEB_CONSOLE_URL ?? "http://console.localhost:3001"),
    variable: "HELIO_WEB_CONSOLE_PORT",
  },
];
const portOf = (url) => Number(url.port || (url.protocol === "https:" ? 443 : 80));
const children = [];

/** Why `port` cannot be bound on `host` now, or null. */
function bindProblem(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", (error) =>
      resolve(error.code === "EADDRINUSE" ? "is already in use" : `cannot be used (${error.code ?? error.message})`),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}

async function checkPorts() {
  let problems = 0;
  for (const server of servers) {
    const port = portOf(server.url);
    const reason = await bindProblem(port);
    if (reason === null) continue;
    problems += 1;
    console.error(
      `error: ${host}:${port} (${server.what}) ${reason}: stop what listens there or choose another port with ${server.variable}`,
    );
  }
  process.exit(problems ? 1 : 0);
}

function stop(code) {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  process.exit(code);
}

function serve(server) {
  const child = spawn(process.execPath, [path.join(scripts, "web-server.mjs")], {
    env: {
      ...process.env,
      HELIO_WEB_AUDIENCE: server.audience,
      HELIO_WEB_HOST: host,
      PORT: String(portOf(server.url)),
      // The front of web-server.mjs wrote the header from the socket: relay it to the API.
      HELIO_WEB_TRUST_FORWARDED_FOR: "1",
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_ENV: "production",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  child.on("exit", (code) => {
    console.error(`web: ${server.what} stopped (${code ?? "signal"})`);
    stop(code || 1);
  });
  children.push(child);
  console.log(`${server.what.padEnd(20)} ${server.url.origin}`);
}

if (process.argv.includes("--check-ports")) {
  await checkPorts();
} else {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(0));
  for (const server of servers) serve(server);
}
