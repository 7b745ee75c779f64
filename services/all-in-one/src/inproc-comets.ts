import { ChatError, type CometApi, type CometClient, type CometConnector, type CometInfo } from "@chatroom/core";

/** The embedded default's transport from job to comets: a function call instead of gRPC. */
export const INPROC_ADDRESS = "inproc";

export class InprocComets {
  private readonly comets = new Map<string, CometApi>();

  add(id: string, api: CometApi): void {
    this.comets.set(id, api);
  }

  remove(id: string): void {
    this.comets.delete(id);
  }

  readonly connect: CometConnector = (info: CometInfo): CometClient => {
    const lookup = (): CometApi => {
      const api = this.comets.get(info.id);
      if (!api) throw new ChatError("unavailable", `comet ${info.id} is not in this process`);
      return api;
    };
    return {
      info,
      pushMsg: async (request) => lookup().pushMsg(request),
      broadcast: async (request) => lookup().broadcast(request),
      broadcastRoom: async (request) => lookup().broadcastRoom(request),
      rooms: async (request) => lookup().rooms(request),
      close: async () => {},
    };
  };
}
