import fs from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

const e2e = path.join(import.meta.dirname, "..", "e2e");
const selection = path.join(import.meta.dirname, "..", "..", "docs", "security", "asvs-selection.csv");

describe("the ASVS ids the end-to-end tests name", () => {
  it("are all in the project's ASVS selection", () => {
    const known = new Set(fs.readFileSync(selection, "utf8").split("\n").map((line) => line.split(",")[0]));
    const named = fs
      .readdirSync(e2e)
      .filter((file) => file.endsWith(".spec.ts"))
      .flatMap((file) => [...fs.readFileSync(path.join(e2e, file), "utf8").matchAll(/asvs\(([^)]*)\)/g)])
      .flatMap((call) => [...(call[1] ?? "").matchAll(/"(V[0-9.]+)"/g)].map((id) => id[1]));
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((id) => !known.has(id))).toEqual([]);
  });
});
