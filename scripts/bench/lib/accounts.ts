import { ApiError, ChatHttp } from "@chatroom/client";
import { mapLimit } from "./timing.ts";

const PASSWORD = "bench password 123";

/** Registers `count` accounts (password hashing makes this ~CPU-bound on the server; a few in parallel). */
export async function registerAccounts(
  baseUrls: readonly string[],
  count: number,
  prefix: string,
): Promise<{ id: number; token: string }[]> {
  return mapLimit(
    Array.from({ length: count }, (_, i) => i),
    8,
    async (i) => {
      const http = new ChatHttp({ baseUrl: baseUrls[i % baseUrls.length] as string });
      const result = await http.register(`${prefix}${i}`, PASSWORD);
      return { id: result.member.id, token: result.token };
    },
  );
}

/** Creates the public room (by the first member) and joins the others to it. */
export async function joinRoom(baseUrls: readonly string[], room: string, tokens: readonly string[]): Promise<void> {
  const first = new ChatHttp({ baseUrl: baseUrls[0] as string, token: tokens[0] as string });
  try {
    await first.createRoom(room, room);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 409)) throw error;
    await first.joinRoom(room);
  }
  await mapLimit(tokens.slice(1), 16, async (token, i) => {
    await new ChatHttp({ baseUrl: baseUrls[i % baseUrls.length] as string, token }).joinRoom(room);
  });
}
