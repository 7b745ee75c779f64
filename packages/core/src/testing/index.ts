export * from "./comet-registry-contract.ts";
export * from "./contract-subject.ts";
export * from "./presence-contract.ts";
export * from "./push-bus-contract.ts";
export * from "./push-msg.ts";
export * from "./rate-limiter-contract.ts";
export * from "./store-fixtures.ts";
export * from "./stores-contract.ts";
