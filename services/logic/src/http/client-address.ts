import { isIPv4, isIPv6 } from "node:net";
import type { Request } from "express";

/**
 * The client address that keys the per-address throttles (login, registration): req.ip, which is the peer's address
 * unless CHATROOM_TRUST_PROXY names that peer as a proxy (then X-Forwarded-For's). An IPv6 client is keyed by its
 * /64 network, because one subscriber usually holds a whole /64 and could otherwise take a fresh address for every
 * attempt; an IPv4-mapped address is keyed as the IPv4 address it is.
 */
export function clientAddress(req: Request): string {
  return throttleKeyOf(req.ip ?? req.socket.remoteAddress ?? "unknown");
}

export function throttleKeyOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] && isIPv4(mapped[1])) return mapped[1];
  const bare = address.replace(/%.*$/, "");
  if (!isIPv6(bare)) return address;
  return `${expandIPv6(bare).slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (lower-case hex without leading zeros), `::` expanded. */
function expandIPv6(address: string): string[] {
  const [head = "", tail] = address.toLowerCase().split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  // A trailing dotted IPv4 part stands for two groups.
  const last = right.at(-1) ?? left.at(-1);
  const extra = last?.includes(".") ? 1 : 0;
  const missing = 8 - left.length - right.length - extra;
  return [...left, ...Array.from({ length: Math.max(0, missing) }, () => "0"), ...right].map((group) =>
    group.includes(".") ? group : Number.parseInt(group, 16).toString(16),
  );
}
