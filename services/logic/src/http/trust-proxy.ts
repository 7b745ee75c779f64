/**
 * CHATROOM_TRUST_PROXY as Express's "trust proxy" value: "true"/"false", a hop count, or a list of addresses, CIDRs
 * and the names loopback, linklocal, uniquelocal. Behind an Ingress the client IP (req.ip) then comes from
 * X-Forwarded-For, so the per-IP login rate limit counts clients, not the proxy.
 */
export function trustProxySetting(value: string): boolean | number | string {
  const trimmed = value.trim();
  if (trimmed === "" || trimmed === "false") return false;
  if (trimmed === "true") return true;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return trimmed;
}
