import { type PushMsg, PushMsg_Type } from "@chatroom/proto/grpc";

/** A PushMsg with every field at its default except the given ones (tests and fixtures). */
export function pushMsg(fields: Partial<PushMsg>): PushMsg {
  return {
    type: PushMsg_Type.TYPE_UNSPECIFIED,
    operation: 0,
    speed: 0,
    server: "",
    room: "",
    keys: [],
    msg: new Uint8Array(0),
    members: [],
    seq: 0,
    publishedAtMs: 0,
    id: "",
    control: undefined,
    online: undefined,
    ...fields,
  };
}
