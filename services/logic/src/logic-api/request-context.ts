import { ChatError, type Member } from "@chatroom/core";
import type { ReceiveResponse } from "@chatroom/proto/grpc";
import { checkWire, REQUEST_WIRE, type RequestName } from "@chatroom/proto/protocol";
import type { LogicServices } from "../services/logic-services.ts";

/** One client request as a handler sees it. */
export interface RequestContext {
  memberId: number;
  key: string;
  seq: number;
  body: Uint8Array;
  /** The requesting member, read once on first use. */
  member(): Promise<Member>;
}

export type ReceiveHandler = (services: LogicServices, request: RequestContext) => Promise<ReceiveResponse>;

interface Decoder<T> {
  decode(input: Uint8Array): T;
}

/**
 * Decodes a request body strictly: anything but the message's own fields is a bad_request that changes nothing
 * (ts-proto alone would read many garbage bodies as an empty message).
 */
export function decode<T>(type: Decoder<T>, body: Uint8Array, name: RequestName): T {
  const problem = checkWire(body, REQUEST_WIRE[name]);
  if (problem) throw new ChatError("bad_request", `malformed ${name} body: ${problem}`);
  try {
    return type.decode(body);
  } catch (error) {
    throw new ChatError("bad_request", `malformed ${name} body`, { cause: error });
  }
}
