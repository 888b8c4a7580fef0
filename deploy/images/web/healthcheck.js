// Container health check: exit 0 when the Next.js server answers on its own port, else 1.
const http = require("node:http");

const request = http.get(
  { host: "127.0.0.1", port: Number(process.env.PORT || 3000), path: "/", timeout: 2000 },
  (response) => {
    response.resume();
    process.exit(response.statusCode < 500 ? 0 : 1);
  },
);
request.on("timeout", () => request.destroy(new Error("timeout")));
request.on("error", () => process.exit(1));
