// Global setup/teardown for `node --test --test-global-setup=test/support/global-setup.ts`: after the whole run,
// stops the loopback services that test processes started (not ones that were already running; see
// local-services.ts). CHATROOM_KEEP_SERVICES=1 keeps them for a faster next run.
import { stopLocalServices } from "./local-services.ts";

export async function globalSetup(): Promise<void> {}

export async function globalTeardown(): Promise<void> {
  await stopLocalServices();
}
