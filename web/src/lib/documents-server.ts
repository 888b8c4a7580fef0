import "server-only";

import type { ApiError } from "@helio/api-client";

import { load } from "./server-api";

const PAGE_LIMIT = 100;
const MAX_PAGES = 5;

export interface DocumentItem {
  id: string;
  kind: string;
  size: number;
  created_at: string;
  file_name: string | null;
  site_id: string | null;
  order_id: string | null;
}

/** The signed-in customer's documents, newest first (at most 500; the API pages by cursor). */
export async function loadDocuments(): Promise<DocumentItem[] | ApiError> {
  const items: DocumentItem[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query: { limit: number; cursor?: string } = cursor === null ? { limit: PAGE_LIMIT } : { limit: PAGE_LIMIT, cursor };
    const result = await load((api) => api.GET("/api/v1/documents", { params: { query } }));
    if (!("items" in result)) return result;
    items.push(...result.items);
    cursor = result.next_cursor;
    if (cursor === null) break;
  }
  return items;
}
