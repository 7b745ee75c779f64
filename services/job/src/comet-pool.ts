import type { Closable, CometClient, CometConnector, CometInfo, CometRegistry } from "@chatroom/core";

/**
 * One client per live comet, kept in step with the registry's watch (never a registry lookup per message).
 * A comet that leaves the registry is closed and dropped; one that changes address is reconnected.
 */
export class CometPool implements Closable {
  private readonly clients = new Map<string, CometClient>();
  private watch: Closable | null = null;
  private readonly registry: CometRegistry;
  private readonly connect: CometConnector;
  private readonly onChange: (ids: string[]) => void;

  constructor(registry: CometRegistry, connect: CometConnector, onChange: (ids: string[]) => void = () => {}) {
    this.registry = registry;
    this.connect = connect;
    this.onChange = onChange;
  }

  async start(): Promise<void> {
    this.apply(await this.registry.list());
    this.watch = await this.registry.watch((comets) => this.apply(comets));
  }

  get(id: string): CometClient | undefined {
    return this.clients.get(id);
  }

  all(): CometClient[] {
    return [...this.clients.values()];
  }

  async close(): Promise<void> {
    await this.watch?.close();
    this.watch = null;
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(clients.map((c) => c.close()));
  }

  private apply(comets: CometInfo[]): void {
    const live = new Map(comets.map((c) => [c.id, c]));
    let changed = false;
    for (const [id, client] of this.clients) {
      const info = live.get(id);
      if (!info || info.grpcAddress !== client.info.grpcAddress) {
        this.clients.delete(id);
        void client.close().catch(() => {});
        changed = true;
      }
    }
    for (const info of comets) {
      if (!this.clients.has(info.id)) {
        this.clients.set(info.id, this.connect(info));
        changed = true;
      }
    }
    if (changed) this.onChange([...this.clients.keys()]);
  }
}
