import {
  type MethodDefinition,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { isChatError } from "../errors.ts";
import type { Closable } from "../lifecycle.ts";
import { toGrpcError } from "./grpc-errors.ts";
import { type GrpcTransportOptions, grpcServerOptions } from "./grpc-transport.ts";

/** One async function per unary method of a generated service definition. */
export type UnaryHandlers<D> = {
  [K in keyof D]: D[K] extends MethodDefinition<infer Req, infer Res> ? (request: Req) => Promise<Res> : never;
};

/** Reports failures that are not plain ChatErrors (bugs, backend crashes) — they reach the caller as `internal`. */
export type GrpcErrorReporter = (error: unknown, method: string) => void;

/**
 * Adapts async handlers to grpc-js: a resolved value is the response, a rejection becomes the status of
 * toGrpcError (the exact ChatError in the trailers).
 */
export function unaryService<D extends ServiceDefinition>(
  definition: D,
  handlers: UnaryHandlers<D>,
  onError: GrpcErrorReporter = () => {},
): UntypedServiceImplementation {
  const implementation: UntypedServiceImplementation = {};
  for (const name of Object.keys(definition)) {
    const handle = handlers[name as keyof D] as unknown as (request: unknown) => Promise<unknown>;
    implementation[name] = (
      call: { request: unknown },
      callback: (error: Error | null, value?: unknown) => void,
    ): void => {
      let result: Promise<unknown>;
      try {
        result = handle(call.request);
      } catch (error) {
        result = Promise.reject(error);
      }
      result.then(
        (value) => callback(null, value),
        (error: unknown) => {
          if (!isChatError(error) || error.code === "internal") onError(error, name);
          callback(toGrpcError(error));
        },
      );
    };
  }
  return implementation;
}

export interface GrpcServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  services: Array<{ definition: ServiceDefinition; implementation: UntypedServiceImplementation }>;
  transport?: Partial<GrpcTransportOptions>;
}

export interface RunningGrpcServer extends Closable {
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** "host:port" as clients on this host reach it. */
  readonly address: string;
  /** Stops accepting calls, lets the calls in flight finish for up to graceMs (default 5 s), then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

/** Starts a plaintext gRPC server (traffic between services stays inside the cluster network). */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new Server(grpcServerOptions(options.transport));
  for (const { definition, implementation } of options.services) server.addService(definition, implementation);
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) => {
      if (error) reject(error);
      else resolve(bound);
    });
  });
  let closing: Promise<void> | undefined;
  return {
    port,
    address: `${host}:${port}`,
    close(graceMs = 5000) {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return closing;
    },
  };
}
