export { type Chatroom, type StartOptions, startChatroom } from "./app.ts";
export { allInOneConfigSchema } from "./config.ts";
