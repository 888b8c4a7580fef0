import { describe, expect, it } from "vitest";

import { documentHint, formatSize, kindLabel, MAX_DOCUMENT_BYTES } from "../src/lib/documents";

describe("documentHint", () => {
  it("passes photos and bills within the limit (the server still decides)", () => {
    expect(documentHint({ name: "roof.jpg", size: 2048, type: "image/jpeg" })).toBeNull();
    expect(documentHint({ name: "bill.pdf", size: MAX_DOCUMENT_BYTES, type: "application/pdf" })).toBeNull();
    expect(documentHint({ name: "roof", size: 10, type: "" })).toBeNull();
    expect(documentHint({ name: "IMG_0001.HEIC", size: 4096, type: "image/heic" })).toBeNull();
  });

  it("names an empty choice, an empty file, a too large file and an unlikely type", () => {
    expect(documentHint(null)).toBe("Choose a file to upload.");
    expect(documentHint({ name: "", size: 0, type: "application/octet-stream" })).toBe("Choose a file to upload.");
    expect(documentHint({ name: "a.jpg", size: 0, type: "image/jpeg" })).toBe("That file is empty.");
    expect(documentHint({ name: "a.jpg", size: MAX_DOCUMENT_BYTES + 1, type: "image/jpeg" })).toMatch(/limit is 10 MB/);
    expect(documentHint({ name: "a.exe", size: 10, type: "application/x-msdownload" })).toMatch(/JPEG, PNG or HEIC/);
  });
});

describe("formatSize and kindLabel", () => {
  it("writes sizes and kinds in words", () => {
    expect(formatSize(820)).toBe("820 B");
    expect(formatSize(14_540)).toBe("14.2 KB");
    expect(formatSize(3_250_586)).toBe("3.1 MB");
    expect(kindLabel("photo")).toBe("Roof photo");
    expect(kindLabel("bill")).toBe("Bill");
    expect(kindLabel("other")).toBe("other");
  });
});
