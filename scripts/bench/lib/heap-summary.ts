import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per "type:name" (constructor name for objects) of a .heapsnapshot. */
export function heapByConstructor(file: string): Map<string, { count: number; bytes: number }> {
  const data = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const fields = data.snapshot.meta.node_fields;
  const types = data.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < data.nodes.length; i += width) {
    const type = types[data.nodes[i + typeAt] as number] ?? "?";
    // Strings and code are grouped by type: their names are their contents.
    const name =
      type === "object" || type === "native" || type === "closure"
        ? data.strings[data.nodes[i + nameAt] as number]
        : "";
    const key = name ? `${type}:${name}` : type;
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += data.nodes[i + sizeAt] as number;
    out.set(key, entry);
  }
  return out;
}

/**
 * What `n` new connections added to the heap, by constructor: the top growers between two snapshots as
 * "bytes/connection (objects/connection) name".
 */
export function heapGrowthPerConnection(beforeFile: string, afterFile: string, n: number, top = 12): string[] {
  const before = heapByConstructor(beforeFile);
  const after = heapByConstructor(afterFile);
  const growth = [...after.entries()].map(([key, a]) => {
    const b = before.get(key) ?? { count: 0, bytes: 0 };
    return { key, bytes: (a.bytes - b.bytes) / n, count: (a.count - b.count) / n };
  });
  return growth
    .sort((x, y) => y.bytes - x.bytes)
    .slice(0, top)
    .map((g) => `${Math.round(g.bytes)} B (${g.count.toFixed(1)}) ${g.key}`);
}
