// The chatroom release on the test cluster: charts/chatroom with k8s/values-test-cluster.yaml, the external Kafka,
// MariaDB and Redis of external-services.ts, and the image of scripts/k8s/images.sh.
import { join } from "node:path";
import { externalServices } from "./external-services.ts";
import { helm, kubectl } from "./kubectl.ts";
import { images, NAMESPACE, RELEASE, repoRoot } from "./layout.ts";

export const chartDir: string = join(repoRoot, "charts/chatroom");
export const valuesFile: string = join(repoRoot, "k8s/values-test-cluster.yaml");
/** The Secret holding MariaDB's URL (mysql.external.existingSecret in the values file). */
const MYSQL_SECRET = "chatroom-mysql";

/** The values the test cluster adds to the values file: where the external services and the image are. */
export function clusterValueArgs(): string[] {
  const [repository, tag] = images.chatroom.ref.split(":");
  const set: Record<string, string> = {
    "image.repository": repository ?? "",
    "image.tag": tag ?? "",
    "kafka.bootstrapServers": externalServices.kafkaBrokers,
    "redis.external.url": externalServices.redisUrl,
    "mysql.external.existingSecret": MYSQL_SECRET,
  };
  return ["--values", valuesFile, ...Object.entries(set).flatMap(([key, value]) => ["--set", `${key}=${value}`])];
}

/** `helm install`, waiting until every Deployment and StatefulSet is ready (the migrations hook runs first). */
export async function installRelease(): Promise<string> {
  await kubectl(["create", "namespace", NAMESPACE]);
  await kubectl([
    "-n",
    NAMESPACE,
    "create",
    "secret",
    "generic",
    MYSQL_SECRET,
    `--from-literal=mysql-url=${externalServices.mysqlUrl}`,
  ]);
  return helm(["install", RELEASE, chartDir, "-n", NAMESPACE, ...clusterValueArgs(), "--wait", "--timeout", "8m"]);
}

/** `helm upgrade` with the cluster's values plus `extra` (--set key=value pairs), waiting for the rollout. */
export function upgradeRelease(extra: Record<string, string>): Promise<string> {
  const sets = Object.entries(extra).flatMap(([key, value]) => ["--set", `${key}=${value}`]);
  return helm([
    "upgrade",
    RELEASE,
    chartDir,
    "-n",
    NAMESPACE,
    ...clusterValueArgs(),
    ...sets,
    "--wait",
    "--timeout",
    "8m",
  ]);
}

/** `helm test`: the chart's test hook pods; resolves with helm's report, rejects when one fails. */
export function testRelease(): Promise<string> {
  return helm(["test", RELEASE, "-n", NAMESPACE, "--logs", "--timeout", "3m"]);
}
