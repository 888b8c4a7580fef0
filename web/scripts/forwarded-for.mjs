// The client address chain a web server hands to the app in X-Forwarded-For.
//
// The server's own socket knows the peer; a header the peer sent is believed only when
// the peer is a proxy named in HELIO_WEB_TRUSTED_PROXIES (then the peer is appended, as
// proxies do). Otherwise the header is replaced, so a browser cannot choose the address
// the API counts failed sign-ins and sign-ups against.
import net from "node:net";

/** Parse "10.0.0.0/8, 192.168.1.7" into a BlockList; throws on anything else. */
export function trustedProxies(value) {
  const list = new net.BlockList();
  for (const item of (value ?? "").split(",").map((part) => part.trim()).filter(Boolean)) {
    const [address, bits] = item.split("/");
    const family = net.isIPv6(address) ? "ipv6" : net.isIPv4(address) ? "ipv4" : null;
    if (family === null) throw new Error(`HELIO_WEB_TRUSTED_PROXIES: ${item} is not an address or network`);
    const prefix = bits === undefined ? (family === "ipv4" ? 32 : 128) : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === "ipv4" ? 32 : 128)) {
      throw new Error(`HELIO_WEB_TRUSTED_PROXIES: ${item} has an invalid prefix length`);
    }
    list.addSubnet(address, prefix, family);
  }
  return list;
}

/** An IPv4 peer seen on a dual-stack socket ("::ffff:127.0.0.2") as plain IPv4. */
export function plainAddress(address) {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address ?? "");
  return mapped ? mapped[1] : (address ?? "");
}

function isTrusted(list, address) {
  const family = net.isIPv6(address) ? "ipv6" : net.isIPv4(address) ? "ipv4" : null;
  return family !== null && list.check(address, family);
}

/**
 * The X-Forwarded-For value to pass on: the incoming chain plus the peer when the peer
 * is a trusted proxy, else the peer alone.
 */
export function forwardedFor(incoming, peer, trusted) {
  const address = plainAddress(peer);
  const chain = Array.isArray(incoming) ? incoming.join(", ") : (incoming ?? "").trim();
  if (chain && isTrusted(trusted, address)) return `${chain}, ${address}`;
  return address;
}
