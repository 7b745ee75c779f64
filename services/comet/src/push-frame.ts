import { encodeRawBatch, Op } from "@chatroom/proto/protocol";

/**
 * A push's frame, encoded once for every connection. goim connections get a push that is not already a batch
 * wrapped in an OP_RAW frame, as goim's job sends every key, mid and broadcast push; that wrapping is also encoded
 * once, on first use. Neither touches the body.
 */
export class PushFrame {
  readonly bytes: Uint8Array;
  readonly op: number;
  #goim: Uint8Array | undefined;

  constructor(bytes: Uint8Array, op: number) {
    this.bytes = bytes;
    this.op = op;
  }

  bytesFor(dialect: "chatroom" | "goim"): Uint8Array {
    if (dialect === "chatroom" || this.op === Op.RAW) return this.bytes;
    this.#goim ??= encodeRawBatch([this.bytes]);
    return this.#goim;
  }
}
