// `@chatroom/core/mysql`: the MySQL/MariaDB stores (mysql2). A subpath of its own so that importing
// `@chatroom/core` never loads mysql2.
export * from "./store/mysql/mysql-database.ts";
export * from "./store/mysql/mysql-errors.ts";
export * from "./store/mysql/mysql-member-store.ts";
export * from "./store/mysql/mysql-message-store.ts";
export * from "./store/mysql/mysql-migrations.ts";
export * from "./store/mysql/mysql-moderation-store.ts";
export * from "./store/mysql/mysql-room-store.ts";
export * from "./store/mysql/mysql-session-store.ts";
export * from "./store/mysql/open-mysql-stores.ts";
