// Container health check: exit 0 when the Next.js server answers /healthz on its own port,
// else 1. /healthz answers whatever the Host header (pages answer only their host names).
// An ES module: the web app's package.json, copied to /app, says "type": "module".
import http from "node:http";

const request = http.get(
  { host: "127.0.0.1", port: Number(process.env.PORT || 3000), path: "/healthz", timeout: 2000 },
  (response) => {
    response.resume();
    process.exit(response.statusCode === 200 ? 0 : 1);
  },
);
request.on("timeout", () => request.destroy(new Error("timeout")));
request.on("error", () => process.exit(1));
