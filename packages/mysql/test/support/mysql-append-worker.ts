// One of the processes of mysql-multi-process.test.ts: appends to the MySQL database named in its plan (a URL).
import { runAppendWorker } from "@chatroom/core/testing";
import { openMysqlStores } from "@chatroom/mysql";

await runAppendWorker((url) => openMysqlStores({ url, poolSize: 4 }));
