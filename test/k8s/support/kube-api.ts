import { request } from "node:https";

/** An answer of the API server other than 2xx: its status and its Status object's message. */
export class KubeApiError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(method: string, path: string, status: number, body: string) {
    super(`${method} ${path} → ${status}: ${statusMessage(body)}`);
    this.name = "KubeApiError";
    this.status = status;
    this.body = body;
  }
}

function statusMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === "string" ? parsed.message : body;
  } catch {
    return body;
  }
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

export interface CreateOptions {
  /** Namespace of a namespaced object whose manifest names none. */
  namespace?: string;
  /** Server-side dry-run: validated and admitted, never stored. */
  dryRun?: boolean;
}

/**
 * A small client of the Kubernetes REST API (bearer token, the server's CA). Every write asks for strict field
 * validation, so that an unknown or duplicate field is an error rather than a dropped value.
 */
export class KubeApi {
  readonly #url: URL;
  readonly #ca: string;
  readonly #token: string;
  readonly #resources = new Map<string, ApiResource[]>();

  constructor(url: string, ca: string, token: string) {
    this.#url = new URL(url);
    this.#ca = ca;
    this.#token = token;
  }

  /** The raw exchange; resolves with any status. */
  send(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: this.#url.hostname,
          port: this.#url.port,
          method,
          path,
          ca: this.#ca,
          headers: {
            authorization: `Bearer ${this.#token}`,
            accept: "application/json",
            ...(payload === undefined ? {} : { "content-type": "application/json" }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
          );
          response.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(payload);
    });
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, text } = await this.send(method, path, body);
    if (status < 200 || status >= 300) throw new KubeApiError(method, path, status, text);
    return JSON.parse(text) as T;
  }

  async getText(path: string): Promise<string> {
    const { status, text } = await this.send("GET", path);
    if (status !== 200) throw new KubeApiError("GET", path, status, text);
    return text;
  }

  /** The collection path of an object's kind (found through API discovery), in the object's namespace. */
  async collectionPath(object: KubeObject, namespace?: string): Promise<string> {
    const resource = await this.#resource(object.apiVersion, object.kind);
    const base = object.apiVersion.includes("/") ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
    if (!resource.namespaced) return `${base}/${resource.name}`;
    const ns = object.metadata.namespace ?? namespace;
    if (!ns) throw new Error(`${object.kind}/${object.metadata.name} is namespaced but no namespace was given`);
    return `${base}/namespaces/${ns}/${resource.name}`;
  }

  /** POST with fieldValidation=Strict (and dryRun=All when asked). */
  async create<T extends KubeObject>(object: KubeObject, options: CreateOptions = {}): Promise<T> {
    const query = new URLSearchParams({ fieldValidation: "Strict" });
    if (options.dryRun) query.set("dryRun", "All");
    const path = `${await this.collectionPath(object, options.namespace)}?${query}`;
    return this.json<T>("POST", path, object);
  }

  async replace<T extends KubeObject>(object: KubeObject, namespace?: string): Promise<T> {
    const path = `${await this.collectionPath(object, namespace)}/${object.metadata.name}?fieldValidation=Strict`;
    return this.json<T>("PUT", path, object);
  }

  async read<T extends KubeObject>(object: KubeObject, namespace?: string): Promise<T> {
    return this.json<T>("GET", `${await this.collectionPath(object, namespace)}/${object.metadata.name}`);
  }

  async remove(object: KubeObject, namespace?: string): Promise<void> {
    await this.json("DELETE", `${await this.collectionPath(object, namespace)}/${object.metadata.name}`);
  }

  async #resource(apiVersion: string, kind: string): Promise<ApiResource> {
    for (const refresh of [false, true]) {
      let resources = this.#resources.get(apiVersion);
      if (resources === undefined || refresh) {
        const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
        const { status, text } = await this.send("GET", path);
        resources = status === 200 ? (JSON.parse(text) as { resources: ApiResource[] }).resources : [];
        this.#resources.set(apiVersion, resources);
      }
      const found = resources.find((r) => r.kind === kind && !r.name.includes("/"));
      if (found) return found;
    }
    throw new Error(`the API server does not serve ${kind} in ${apiVersion} (a CRD missing?)`);
  }
}
