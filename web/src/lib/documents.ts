/**
 * Client-side hints for document uploads. They only spare a person a wasted
 * upload: the API decides what a file is from its bytes and refuses the rest.
 */

/** The API's upload limit (docs/documents.md). */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** What the file picker offers: roof photos (JPEG, PNG, HEIC: kept as JPEG) and bills (PDF). */
export const DOCUMENT_ACCEPT =
  ".jpg,.jpeg,.png,.heic,.heif,.pdf,image/jpeg,image/png,image/heic,image/heif,application/pdf";

const HINT_TYPES = new Set(["image/jpeg", "image/png", "image/heic", "image/heif", "application/pdf"]);

/** A plain sentence when the chosen file will surely be refused, else null. */
export function documentHint(file: { name: string; size: number; type: string } | null): string | null {
  if (file === null || file.name === "") return "Choose a file to upload.";
  if (file.size === 0) return "That file is empty.";
  if (file.size > MAX_DOCUMENT_BYTES) return `That file is ${formatSize(file.size)}; the limit is 10 MB.`;
  if (file.type !== "" && !HINT_TYPES.has(file.type)) return "Upload a roof photo (JPEG, PNG or HEIC) or a bill (PDF).";
  return null;
}

/** Bytes in words: "820 B", "14.2 KB", "3.1 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export const KIND_LABELS: Record<string, string> = { photo: "Roof photo", bill: "Bill" };

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}
