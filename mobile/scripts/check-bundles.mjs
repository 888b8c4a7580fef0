/* eslint-disable no-console -- a command-line check prints its verdict */
// Checks the exported bundles: native ones are Hermes bytecode (magic header), and no
// bundle carries a key, token or password. Run after `expo export`.
import { Buffer } from "node:buffer";
import fs from "node:fs";
import path from "node:path";

const HERMES_MAGIC = Buffer.from([0xc6, 0x1f, 0xbc, 0x03, 0xc1, 0x03, 0x19, 0x1f]);
const SECRETS = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, // a JWT
  /AKIA[0-9A-Z]{16}/,
  /(sk|rk)_live_[A-Za-z0-9]{10,}/,
  /HELIO_(SECRET_KEY|OPS_TOKEN|PAYMENT_WEBHOOK_SECRET)=\S+/,
  /refresh-token-[A-Za-z0-9]{8,}/,
];
const problems = [];
let checked = 0;
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (/\.(js|hbc)$/.test(entry.name)) check(full);
  }
}
function check(file) {
  checked += 1;
  const bytes = fs.readFileSync(file);
  if (file.endsWith(".hbc") && !bytes.subarray(0, 8).equals(HERMES_MAGIC)) problems.push(`${file}: not Hermes bytecode`);
  const text = bytes.toString("latin1");
  for (const pattern of SECRETS) if (pattern.test(text)) problems.push(`${file}: matches ${pattern}`);
}
for (const dir of process.argv.slice(2)) walk(dir);
const native = process.argv.slice(2).some((d) => fs.existsSync(d) && fs.readdirSync(path.join(d, "_expo/static/js")).some((p) => p !== "web"));
if (checked === 0) problems.push("no bundle found");
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`${checked} bundles checked${native ? " (native ones are Hermes bytecode)" : ""}; no secret found`);
