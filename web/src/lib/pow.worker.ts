/// <reference lib="webworker" />
import { solvePow } from "@helio/api-client";

// Solve off the main thread so the page stays responsive while it works.
self.onmessage = (event: MessageEvent<{ challenge: string; bits: number }>) => {
  try {
    self.postMessage({ solution: solvePow(event.data.challenge, event.data.bits) });
  } catch {
    self.postMessage({ solution: null });
  }
};
