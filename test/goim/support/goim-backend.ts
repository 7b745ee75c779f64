/**
 * goim's documented backend calls (docs/push.md of goim): POST /goim/push/keys|mids|room|all with the parameters in
 * the query (lists as repeated parameters) and the message as the raw body; GET /goim/online/top|room|total. Every
 * answer is goim's envelope `{code, message, data?}` with HTTP 200.
 */
export interface GoimEnvelope<T = unknown> {
  code: number;
  message: string;
  data?: T;
}

export interface GoimAnswer<T = unknown> {
  status: number;
  body: GoimEnvelope<T>;
}

type Params = Array<[string, string | number]>;

export class GoimBackend {
  private readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  pushKeys(operation: number, keys: string[], message: string): Promise<GoimAnswer> {
    return this.post(
      "/goim/push/keys",
      [["operation", operation], ...keys.map((k): [string, string] => ["keys", k])],
      message,
    );
  }

  pushMids(operation: number, mids: number[], message: string): Promise<GoimAnswer> {
    return this.post(
      "/goim/push/mids",
      [["operation", operation], ...mids.map((m): [string, number] => ["mids", m])],
      message,
    );
  }

  pushRoom(operation: number, type: string, room: string, message: string): Promise<GoimAnswer> {
    return this.post(
      "/goim/push/room",
      [
        ["operation", operation],
        ["type", type],
        ["room", room],
      ],
      message,
    );
  }

  pushAll(operation: number, speed: number, message: string): Promise<GoimAnswer> {
    return this.post(
      "/goim/push/all",
      [
        ["operation", operation],
        ["speed", speed],
      ],
      message,
    );
  }

  onlineTop(type: string, limit: number): Promise<GoimAnswer<Array<{ room_id: string; count: number }>>> {
    return this.get("/goim/online/top", [
      ["type", type],
      ["limit", limit],
    ]);
  }

  onlineRoom(type: string, rooms: string[]): Promise<GoimAnswer<Record<string, number>>> {
    return this.get("/goim/online/room", [["type", type], ...rooms.map((r): [string, string] => ["rooms", r])]);
  }

  onlineTotal(): Promise<GoimAnswer<{ ip_count: number; conn_count: number }>> {
    return this.get("/goim/online/total", []);
  }

  /** Any call, for the error cases: `path` with its query as written. */
  async raw(method: "GET" | "POST", pathAndQuery: string, body = ""): Promise<GoimAnswer> {
    const response = await fetch(`${this.baseUrl}${pathAndQuery}`, method === "POST" ? { method, body } : { method });
    return { status: response.status, body: (await response.json()) as GoimEnvelope };
  }

  private post(path: string, params: Params, message: string): Promise<GoimAnswer> {
    return this.raw("POST", `${path}?${query(params)}`, message);
  }

  private get<T>(path: string, params: Params): Promise<GoimAnswer<T>> {
    return this.raw("GET", params.length > 0 ? `${path}?${query(params)}` : path) as Promise<GoimAnswer<T>>;
  }
}

function query(params: Params): string {
  return params.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`).join("&");
}
