/**
 * A latency histogram in the manner of HdrHistogram: values in microseconds, exact below 2048 µs and with 1024
 * linear sub-buckets per power of two above (relative error ≤ 0.1 %). Histograms from several processes merge by
 * adding counts, so load workers record locally and send only their non-empty buckets.
 */
const SUB_BUCKETS = 1024;
const LINEAR_LIMIT = 2 * SUB_BUCKETS;
/** Values are clamped to about 1.2 hours. */
const MAX_EXPONENT = 22;
const SIZE = LINEAR_LIMIT + MAX_EXPONENT * SUB_BUCKETS;

/** The wire form of a histogram: [bucket index, count] pairs plus the exact extremes and sum. */
export interface HistogramData {
  buckets: [number, number][];
  count: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
}

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

function indexOf(micros: number): number {
  const v = Math.max(0, Math.min(Math.round(micros), 2 ** (MAX_EXPONENT + 11) - 1));
  if (v < LINEAR_LIMIT) return v;
  const shift = Math.floor(Math.log2(v)) - 10;
  return LINEAR_LIMIT + (shift - 1) * SUB_BUCKETS + (Math.floor(v / 2 ** shift) - SUB_BUCKETS);
}

/** Middle of the bucket, in microseconds. */
function bucketValue(index: number): number {
  if (index < LINEAR_LIMIT) return index;
  const shift = Math.floor((index - LINEAR_LIMIT) / SUB_BUCKETS) + 1;
  const sub = ((index - LINEAR_LIMIT) % SUB_BUCKETS) + SUB_BUCKETS;
  return sub * 2 ** shift + 2 ** (shift - 1);
}

export class Histogram {
  readonly #counts = new Float64Array(SIZE);
  #count = 0;
  #sumMs = 0;
  #minMs = Number.POSITIVE_INFINITY;
  #maxMs = 0;

  get count(): number {
    return this.#count;
  }

  record(ms: number): void {
    const value = Number.isFinite(ms) ? Math.max(ms, 0) : 0;
    const index = indexOf(value * 1000);
    this.#counts[index] = (this.#counts[index] as number) + 1;
    this.#count += 1;
    this.#sumMs += value;
    if (value < this.#minMs) this.#minMs = value;
    if (value > this.#maxMs) this.#maxMs = value;
  }

  merge(data: HistogramData): void {
    for (const [index, count] of data.buckets) this.#counts[index] = (this.#counts[index] as number) + count;
    this.#count += data.count;
    this.#sumMs += data.sumMs;
    if (data.count > 0) {
      this.#minMs = Math.min(this.#minMs, data.minMs);
      this.#maxMs = Math.max(this.#maxMs, data.maxMs);
    }
  }

  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#sumMs = 0;
    this.#minMs = Number.POSITIVE_INFINITY;
    this.#maxMs = 0;
  }

  /** The value at percentile `p` (0–100), in ms; 0 when empty. */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < SIZE; i += 1) {
      seen += this.#counts[i] as number;
      if (seen >= rank) return Math.min(bucketValue(i) / 1000, this.#maxMs);
    }
    return this.#maxMs;
  }

  summary(): LatencySummary {
    return {
      count: this.#count,
      meanMs: this.#count ? this.#sumMs / this.#count : 0,
      p50Ms: this.percentile(50),
      p90Ms: this.percentile(90),
      p99Ms: this.percentile(99),
      p999Ms: this.percentile(99.9),
      maxMs: this.#maxMs,
    };
  }

  toData(): HistogramData {
    const buckets: [number, number][] = [];
    for (let i = 0; i < SIZE; i += 1) {
      const count = this.#counts[i] as number;
      if (count > 0) buckets.push([i, count]);
    }
    return { buckets, count: this.#count, sumMs: this.#sumMs, minMs: this.#minMs, maxMs: this.#maxMs };
  }

  static from(parts: readonly HistogramData[]): Histogram {
    const histogram = new Histogram();
    for (const part of parts) histogram.merge(part);
    return histogram;
  }
}
