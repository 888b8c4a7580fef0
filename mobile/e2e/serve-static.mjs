#!/usr/bin/env node
// Serve a static export (the app's `expo export --platform web`) on 127.0.0.1 for the browser
// tests: files from the directory, index.html for any other path (the app routes in memory).
//   node serve-static.mjs <directory> <port>
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

const [directory, port] = [path.resolve(process.argv[2] ?? "dist-web-e2e"), Number(process.argv[3])];
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".svg": "image/svg+xml",
  ".ttf": "font/ttf",
};

http
  .createServer((request, response) => {
    const wanted = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    let file = path.join(directory, path.normalize(wanted));
    if (!file.startsWith(directory + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      file = path.join(directory, "index.html");
    }
    response.writeHead(200, {
      "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
    fs.createReadStream(file).pipe(response);
  })
  .listen(port, "127.0.0.1");
