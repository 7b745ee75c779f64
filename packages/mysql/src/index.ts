// `@chatroom/mysql`: the MySQL/MariaDB stores (mysql2), a package of its own so that importing `@chatroom/core`
// never loads mysql2.

export * from "./mysql-database.ts";
export * from "./mysql-errors.ts";
export * from "./mysql-member-store.ts";
export * from "./mysql-message-store.ts";
export * from "./mysql-migrations.ts";
export * from "./mysql-moderation-store.ts";
export * from "./mysql-room-store.ts";
export * from "./mysql-session-store.ts";
export * from "./open-mysql-stores.ts";
