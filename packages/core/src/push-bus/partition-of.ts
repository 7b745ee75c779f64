/**
 * The partition of a partition key: FNV-1a (32-bit) of its UTF-16 code units, modulo `partitions`.
 * Stable across processes and runs, so one key always lands on one partition.
 */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
