import { FIRST_CUSTOM_OP, opName } from "@chatroom/proto/protocol";

/**
 * The `op` label of a frame: the op's name for the protocol's ops, "custom" for applications' push-API ops and
 * "unknown" for anything else a client sends — the label's values stay a small fixed set.
 */
export function opLabel(op: number): string {
  const name = opName(op);
  if (!name.startsWith("op_")) return name;
  return op >= FIRST_CUSTOM_OP ? "custom" : "unknown";
}
