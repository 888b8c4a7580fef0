import type { BlockList } from "node:net";

export function trustedProxies(value: string | undefined): BlockList;
export function plainAddress(address: string | undefined): string;
export function forwardedFor(incoming: string | string[] | undefined, peer: string | undefined, trusted: BlockList): string;
