// One of the processes of sqlite-multi-process.test.ts: appends to the SQLite file named in its plan.
import { openSqliteStores } from "@chatroom/core";
import { runAppendWorker } from "@chatroom/core/testing";

await runAppendWorker(async (path) => openSqliteStores({ path }));
