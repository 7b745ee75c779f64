import { ConfigError, type Setting } from "./config.ts";

/** Where a server listens: a host (name, IPv4, or IPv6 without brackets) and a port (0: any free one). */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * `host:port` (`[::1]:port` for IPv6) of an optional extra listener; empty (the default) means none. The host is
 * required: an internal listener must name the interface it binds rather than fall back to every interface.
 */
export function listenAddressSetting(env: string, description: string): Setting<ListenAddress | null> {
  return {
    env,
    description,
    default: null,
    parse(raw, name) {
      const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(raw);
      const port = Number(match?.[3]);
      if (!match || port > 65535) {
        throw new ConfigError(`${name} must be host:port (e.g. 127.0.0.1:3102 or [::1]:3102), got "${raw}"`);
      }
      return { host: match[1] ?? match[2] ?? "", port };
    },
  };
}

/** True for a host that only this machine reaches (loopback). */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}
