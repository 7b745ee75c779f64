export { CloseCode } from "./close-codes.ts";
export { type Comet, type CometOptions, createComet } from "./comet.ts";
export { type CometConfig, type CometConfigSchema, cometConfigSchema, loadCometConfig } from "./config.ts";
export type { CometLogger } from "./logger.ts";
