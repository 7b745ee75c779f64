import { join } from "node:path";
import { multiProcessAppendCases, uniqueSuffix } from "@chatroom/core/testing";
import { openMysqlStores } from "@chatroom/mysql";
import { createConnection } from "mysql2/promise";
import { mysqlService } from "../../../test/support/services.ts";

const { url: serverUrl } = await mysqlService();

multiProcessAppendCases(
  "MySQL stores shared by several processes",
  async () => {
    const name = `chatroom_${uniqueSuffix()}`;
    const admin = await createConnection({ uri: serverUrl, charset: "utf8mb4" });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const stores = await openMysqlStores({ url: url.toString(), migrate: true, poolSize: 4 });
    return {
      stores,
      target: url.toString(),
      cleanup: async () => {
        await stores.close();
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await admin.end();
      },
    };
  },
  { workerScript: join(import.meta.dirname, "support", "mysql-append-worker.ts") },
);
