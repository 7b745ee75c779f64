// goim's client.js flow and goim's backend calls, unchanged, against the distributed mode in goim compatibility mode:
// 2 logics (each with its goim HTTP listener), 2 comets (each with its trusted goim listener and /sub on its public
// listener) and 2 jobs over Kafka, MySQL and Redis. The same cases as the embedded default (test/goim).
import { describeGoimConformance } from "../goim/support/conformance.ts";
import { startClusterFixture } from "./support/cluster-fixture.ts";

describeGoimConformance("goim compatibility, distributed mode", async () => {
  const fixture = await startClusterFixture({ goim: true });
  const { cluster } = fixture;
  const goim = cluster.goim;
  if (!goim) throw new Error("the cluster started without its goim listeners");
  return {
    comets: cluster.comets.map((comet) => {
      const publicWs = cluster.cometWsUrl(comet);
      return { trustedSub: goim.subUrl(comet), publicSub: publicWs.replace(/\/ws$/, "/sub"), publicWs };
    }),
    goimHttpUrls: goim.httpUrls,
    apiUrl: cluster.url,
    close: () => fixture.close(),
  };
});
