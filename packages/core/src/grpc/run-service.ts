import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigError } from "../config/config.ts";

export interface StartedService {
  /** Printed once on stdout when the service is ready (multi-process tests and operators wait for it). */
  readyLine: string;
  /** Hard deadline of close() on a signal; the process exits with 1 when it passes. */
  shutdownTimeoutMs: number;
  /** Graceful stop, in order; resolves when everything the service opened is closed. */
  close(): Promise<void>;
}

/**
 * The life of a standalone service process (the mains of logic, comet and job): start, print the ready line, stop
 * gracefully on SIGTERM/SIGINT. A failed start exits with 1 after one line naming the cause (ConfigError: the
 * variable that is wrong).
 */
export function runService(name: string, start: () => Promise<StartedService>): void {
  start().then(
    (service) => {
      console.log(service.readyLine);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`${name}: ${signal}, shutting down`);
        const deadline = setTimeout(() => {
          console.error(`${name}: shutdown took longer than ${service.shutdownTimeoutMs} ms; exiting`);
          process.exit(1);
        }, service.shutdownTimeoutMs);
        deadline.unref();
        service.close().then(
          () => process.exit(0),
          (error: unknown) => {
            console.error(`${name}: shutdown failed`, error);
            process.exit(1);
          },
        );
      };
      process.on("SIGINT", () => stop("SIGINT"));
      process.on("SIGTERM", () => stop("SIGTERM"));
    },
    (error: unknown) => {
      if (error instanceof ConfigError) console.error(`${name}: configuration error: ${error.message}`);
      else console.error(`${name} failed to start:`, error);
      process.exit(1);
    },
  );
}

/** Closes each in reverse order of opening, continuing past failures; rethrows the first failure at the end. */
export async function closeAll(closers: ReadonlyArray<{ close(): Promise<void> }>): Promise<void> {
  let failure: unknown;
  for (const closer of [...closers].reverse()) {
    try {
      await closer.close();
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
}

/** Listens; resolves with the bound port (the real one when 0 was asked) and "host:port". Rejects when taken. */
export function listenHttp(server: Server, port: number, host: string): Promise<{ port: number; address: string }> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const bound = (server.address() as AddressInfo).port;
      resolve({ port: bound, address: host.includes(":") ? `[${host}]:${bound}` : `${host}:${bound}` });
    });
  });
}

/** Stops accepting connections, closes the idle ones and resolves once the requests in flight are answered. */
export function closableHttpServer(server: Server): { close(): Promise<void> } {
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
