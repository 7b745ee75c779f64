import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { EndpointLike } from "../../../services/job/src/k8s/index.ts";

export interface FakeSlice {
  name: string;
  service: string;
  endpoints: EndpointLike[];
}

interface StoredSlice {
  apiVersion: "discovery.k8s.io/v1";
  kind: "EndpointSlice";
  metadata: { name: string; namespace: string; resourceVersion: string; labels: Record<string, string> };
  addressType: "IPv4";
  endpoints: EndpointLike[];
  ports: Array<{ name: string; port: number; protocol: string }>;
}

interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: StoredSlice;
  resourceVersion: number;
}

interface Watcher {
  response: ServerResponse;
  selector: string | null;
}

export interface RecordedRequest {
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

/**
 * The EndpointSlice part of the Kubernetes API on 127.0.0.1, speaking its list+watch protocol: a list answers the
 * items with the collection's resourceVersion; `?watch=true&resourceVersion=N` answers 200 and streams one JSON
 * event per line (chunked), first the events after N, then every change, until the server ends the stream.
 */
export class FakeEndpointSliceApi {
  readonly namespace: string;
  readonly requests: RecordedRequest[] = [];
  readonly #slices = new Map<string, StoredSlice>();
  readonly #events: WatchEvent[] = [];
  readonly #watchers = new Set<Watcher>();
  #resourceVersion = 100;
  #failNext = 0;
  #server: Server | null = null;
  #url = "";

  constructor(namespace: string) {
    this.namespace = namespace;
  }

  get url(): string {
    return this.#url;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => this.#handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.#server = server;
    this.#url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Creates or replaces a slice and tells the watchers. */
  put(slice: FakeSlice): void {
    const type = this.#slices.has(slice.name) ? "MODIFIED" : "ADDED";
    const stored: StoredSlice = {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: slice.name,
        namespace: this.namespace,
        resourceVersion: String(++this.#resourceVersion),
        labels: { "kubernetes.io/service-name": slice.service },
      },
      addressType: "IPv4",
      endpoints: slice.endpoints,
      ports: [{ name: "grpc", port: 3109, protocol: "TCP" }],
    };
    this.#slices.set(slice.name, stored);
    this.#publish({ type, object: stored, resourceVersion: this.#resourceVersion });
  }

  remove(name: string): void {
    const stored = this.#slices.get(name);
    if (!stored) return;
    this.#slices.delete(name);
    const deleted = { ...stored, metadata: { ...stored.metadata, resourceVersion: String(++this.#resourceVersion) } };
    this.#publish({ type: "DELETED", object: deleted, resourceVersion: this.#resourceVersion });
  }

  /** The next `count` requests, list or watch, are answered 500. */
  failNextRequests(count: number): void {
    this.#failNext = count;
  }

  /** Ends every open watch stream, as an API server does when a watch times out. */
  endWatches(): void {
    for (const watcher of this.#watchers) watcher.response.end();
    this.#watchers.clear();
  }

  watchCount(): number {
    return this.#watchers.size;
  }

  async close(): Promise<void> {
    this.endWatches();
    const server = this.#server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections of the client would hold close() open.
    server.closeAllConnections();
    await closed;
  }

  #publish(event: WatchEvent): void {
    this.#events.push(event);
    for (const watcher of this.#watchers) {
      if (this.#matches(event.object, watcher.selector)) this.#send(watcher.response, event);
    }
  }

  #send(response: ServerResponse, event: WatchEvent): void {
    response.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
  }

  #matches(slice: StoredSlice, selector: string | null): boolean {
    if (!selector) return true;
    return selector.split(",").every((term) => {
      const [key, value] = term.split("=");
      return key !== undefined && slice.metadata.labels[key] === value;
    });
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? "/", this.#url);
    this.requests.push({ path: url.pathname, query: url.searchParams, authorization: request.headers.authorization });
    if (url.pathname !== `/apis/discovery.k8s.io/v1/namespaces/${this.namespace}/endpointslices`) {
      response.writeHead(404, { "content-type": "application/json" }).end('{"kind":"Status","code":404}');
      return;
    }
    if (this.#failNext > 0) {
      this.#failNext--;
      response.writeHead(500, { "content-type": "application/json" });
      response.end('{"kind":"Status","status":"Failure","message":"etcd unavailable","code":500}');
      return;
    }
    const selector = url.searchParams.get("labelSelector");
    if (url.searchParams.get("watch") === "true") {
      const since = Number(url.searchParams.get("resourceVersion") || "0");
      response.writeHead(200, { "content-type": "application/json" });
      response.flushHeaders();
      for (const event of this.#events) {
        if (event.resourceVersion > since && this.#matches(event.object, selector)) this.#send(response, event);
      }
      const watcher = { response, selector };
      this.#watchers.add(watcher);
      request.on("close", () => this.#watchers.delete(watcher));
      return;
    }
    const items = [...this.#slices.values()].filter((slice) => this.#matches(slice, selector));
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSliceList",
        metadata: { resourceVersion: String(this.#resourceVersion) },
        items,
      }),
    );
  }
}
