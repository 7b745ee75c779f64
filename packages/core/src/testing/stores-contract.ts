import { describe } from "node:test";
import type { Stores } from "../store/stores.ts";
import type { ContractFactory } from "./contract-subject.ts";
import { memberStoreCases } from "./member-store-cases.ts";
import { messageStoreBatchCases } from "./message-store-batch-cases.ts";
import { messageStoreCases } from "./message-store-cases.ts";
import { messageStoreRevisionCases } from "./message-store-revision-cases.ts";
import { moderationStoreCases } from "./moderation-store-cases.ts";
import { roomStoreCases } from "./room-store-cases.ts";
import { sessionStoreCases } from "./session-store-cases.ts";

/**
 * The contract of the stores (store/*.ts). `factory` must return empty stores (a fresh database or schema);
 * cleanup closes them.
 */
export function storesContract(name: string, factory: ContractFactory<Stores>): void {
  describe(name, () => {
    memberStoreCases(factory);
    sessionStoreCases(factory);
    roomStoreCases(factory);
    messageStoreCases(factory);
    messageStoreBatchCases(factory);
    messageStoreRevisionCases(factory);
    moderationStoreCases(factory);
  });
}
