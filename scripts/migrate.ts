/**
 * Applies the pending MySQL/MariaDB migrations (packages/mysql/src/mysql-migrations.ts) and prints the
 * schema version before and after. Usage: `node scripts/migrate.ts` with CHATROOM_MYSQL_URL (the services' setting)
 * or MYSQL_URL set to mysql://user:password@host:port/database. Safe to run from several places at once (the
 * migrations take a named lock). Exit code 0: schema up to date; 1: failed; 2: no URL.
 */
import { MYSQL_MIGRATIONS, runMysqlMigrations } from "@chatroom/mysql";

const VARIABLES = ["CHATROOM_MYSQL_URL", "MYSQL_URL"] as const;

/** The URL without its password, for the log. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(not a URL)";
  }
}

/** The message and the chain of causes ("database unavailable (ECONNREFUSED): connect ECONNREFUSED …"). */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let current = error; current !== undefined && parts.length < 5; ) {
    if (current instanceof Error) {
      if (current.message) parts.push(current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  return parts.join(": ") || "unknown error";
}

async function main(): Promise<number> {
  const variable = VARIABLES.find((name) => process.env[name]?.trim());
  if (variable === undefined) {
    console.error(`migrate: set ${VARIABLES.join(" or ")} to mysql://user:password@host:port/database`);
    return 2;
  }
  const url = process.env[variable]?.trim() ?? "";
  console.log(`migrate: ${redacted(url)} (from ${variable})`);
  try {
    const { before, after, applied } = await runMysqlMigrations({ url });
    console.log(`schema version before: ${before}`);
    for (const version of applied) {
      const name = MYSQL_MIGRATIONS.find((migration) => migration.version === version)?.name ?? "";
      console.log(`applied migration ${version}: ${name}`);
    }
    console.log(`schema version after: ${after}${applied.length === 0 ? " (up to date, nothing applied)" : ""}`);
    return 0;
  } catch (error) {
    console.error(`migrate failed: ${describe(error)}`);
    return 1;
  }
}

process.exitCode = await main();
