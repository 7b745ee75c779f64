import { ConfigError, loadConfig } from "@chatroom/core";
import { startChatroom } from "./app.ts";
import { allInOneConfigSchema } from "./config.ts";

/** `npm start`: the embedded default. Stops gracefully on SIGINT/SIGTERM within the shutdown deadline. */
async function main(): Promise<void> {
  const { shutdownTimeoutMs } = loadConfig(allInOneConfigSchema);
  const chatroom = await startChatroom();
  console.log(`chatroom is running: open ${chatroom.url} in two browser tabs to chat`);
  console.log(`admin=${new URL(chatroom.adminUrl).host} (metrics, health and readiness at /metrics /healthz /readyz)`);
  const { wsUrl, httpUrl } = chatroom.goim;
  if (wsUrl) console.log(`goim clients: ${wsUrl} (goim compatibility mode, docs/goim-compat.md)`);
  if (httpUrl) console.log(`goim backends: ${httpUrl}/goim/… (goim's response mode, no API key)`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    const deadline = setTimeout(() => {
      console.error(`shutdown took longer than ${shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, shutdownTimeoutMs);
    deadline.unref();
    chatroom.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("shutdown failed", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`configuration error: ${error.message}`);
  } else {
    console.error("chatroom failed to start:", error);
  }
  process.exit(1);
});
