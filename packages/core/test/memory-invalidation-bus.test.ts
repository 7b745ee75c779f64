import { MemoryInvalidationBus, MemoryInvalidationHub } from "@chatroom/core";
import { invalidationBusContract } from "@chatroom/core/testing";

invalidationBusContract("MemoryInvalidationBus", async () => {
  const hub = new MemoryInvalidationHub();
  const a = new MemoryInvalidationBus(hub);
  const b = new MemoryInvalidationBus(hub);
  return {
    subject: { a, b },
    cleanup: async () => {
      await a.close();
      await b.close();
    },
  };
});
