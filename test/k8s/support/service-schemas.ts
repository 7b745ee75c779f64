import { allInOneConfigSchema } from "@chatroom/all-in-one";
import { backendConfigSchema } from "@chatroom/backends";
import { cometConfigSchema, cometProcessConfigSchema } from "@chatroom/comet";
import type { Setting } from "@chatroom/core";
import { grpcConfigSchema } from "@chatroom/core/grpc";
import { DEFAULT_ADMIN_PORTS, observabilityConfigSchema } from "@chatroom/core/observability";
import { jobConfigSchema, jobProcessConfigSchema } from "@chatroom/job";
import { logicConfigSchema, logicProcessConfigSchema } from "@chatroom/logic";
import { kubernetesDiscoveryConfigSchema } from "../../../services/job/src/k8s/index.ts";

export type Schema = Record<string, Setting<unknown>>;

export function observability(service: keyof typeof DEFAULT_ADMIN_PORTS): Schema {
  return observabilityConfigSchema(DEFAULT_ADMIN_PORTS[service]);
}

/** The config schemas each process reads (its main.ts): the variables its container may set. */
export const SCHEMAS: Record<"comet" | "logic" | "job" | "migrate", Schema[]> = {
  comet: [backendConfigSchema, cometConfigSchema, cometProcessConfigSchema, grpcConfigSchema, observability("comet")],
  logic: [backendConfigSchema, logicConfigSchema, logicProcessConfigSchema, grpcConfigSchema, observability("logic")],
  job: [
    backendConfigSchema,
    jobConfigSchema,
    jobProcessConfigSchema,
    grpcConfigSchema,
    observability("job"),
    kubernetesDiscoveryConfigSchema,
  ],
  // scripts/migrate.ts reads the services' CHATROOM_MYSQL_URL.
  migrate: [{ mysqlUrl: backendConfigSchema.mysqlUrl }],
};

/** The all-in-one's schemas (the image's default command). */
export const ALL_IN_ONE_SCHEMAS: Schema[] = [allInOneConfigSchema, observability("all-in-one")];

export const envNames = (schemas: Schema[]): Set<string> =>
  new Set(schemas.flatMap((schema) => Object.values(schema).map((s) => s.env)));

/** The CHATROOM_* variables in `names` that none of `schemas` reads. */
export function unknownSettings(names: Iterable<string>, schemas: Schema[]): string[] {
  const known = envNames(schemas);
  return [...names].filter((name) => name.startsWith("CHATROOM_") && !known.has(name));
}
