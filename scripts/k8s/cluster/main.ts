// `npm run k8s:up` / `npm run k8s:down` (docs/kubernetes.md, "The test cluster"):
//   up     build what is missing, start the single-node cluster, helm install charts/chatroom, wait until ready
//   down   remove everything up made (the built tools and images in .tools/k8s stay)
// Needs root (containerd, the kubelet, iptables) and Debian's apt-get for the packages it installs.
import { down } from "./down.ts";
import { paths } from "./layout.ts";
import { up } from "./up.ts";

const action = process.argv[2];
if (process.getuid?.() !== 0) {
  console.error("k8s: the test cluster needs root (containerd, the kubelet, iptables)");
  process.exit(1);
}
try {
  if (action === "up") {
    await up();
    console.log(
      `k8s: up. kubectl --kubeconfig ${paths.adminKubeconfig} -n chatroom get pods   (npm run k8s:down removes it)`,
    );
  } else if (action === "down") {
    await down();
    console.log("k8s: down");
  } else {
    console.error("usage: node scripts/k8s/cluster/main.ts up|down");
    process.exit(2);
  }
} catch (error) {
  console.error(`k8s: ${(error as Error).message}`);
  process.exit(1);
}
