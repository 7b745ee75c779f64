import type { WebSocketConstructor } from "@chatroom/client";
import { WebSocket as NodeWebSocket } from "ws";

/**
 * A WebSocket constructor whose sockets the test can cut (no close frame, like a dropped network) and whose
 * reconnects it can hold back (`state.blocked`: new sockets point at a closed port) while other members keep
 * chatting.
 */
export function cuttableSockets() {
  const sockets: NodeWebSocket[] = [];
  const state = { blocked: false };
  class Gated extends NodeWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(state.blocked ? "ws://127.0.0.1:1/ws" : url, protocols);
      sockets.push(this);
    }
  }
  return {
    ctor: Gated as unknown as WebSocketConstructor,
    state,
    cut() {
      for (const socket of sockets) socket.terminate();
    },
  };
}
