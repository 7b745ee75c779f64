import type { CometInfo } from "@chatroom/core";
import type { EndpointLike } from "../../../services/job/src/k8s/index.ts";

export const HEADLESS = "chatroom-comet-headless";

/** Comet n as the chart runs it: id = pod name, gRPC address = its DNS name under the headless Service. */
export function cometInfo(index: number, namespace = "chatroom"): CometInfo {
  const pod = `chatroom-comet-${index}`;
  return {
    id: pod,
    grpcAddress: `${pod}.${HEADLESS}.${namespace}.svc:3109`,
    wsUrl: `ws://10.0.0.${10 + index}:3102/ws`,
    startedAtMs: 1_700_000_000_000 + index,
  };
}

export interface Conditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

/** The endpoint the EndpointSlice controller writes for comet n's pod. */
export function cometEndpoint(index: number, conditions: Conditions, namespace = "chatroom"): EndpointLike {
  const pod = `chatroom-comet-${index}`;
  return {
    addresses: [`10.0.0.${10 + index}`],
    hostname: pod,
    targetRef: { kind: "Pod", name: pod, ...{ namespace } },
    conditions,
  };
}

export const READY: Conditions = { ready: true, serving: true, terminating: false };
export const NOT_READY: Conditions = { ready: false, serving: false, terminating: false };
/** Deleted pod in its preStop sleep: still passing its readiness probe. */
export const TERMINATING_SERVING: Conditions = { ready: false, serving: true, terminating: true };
/** Deleted pod that started draining (readiness false). */
export const TERMINATING_DRAINING: Conditions = { ready: false, serving: false, terminating: true };

export const ids = (comets: readonly CometInfo[]): string[] => comets.map((c) => c.id).sort();

/** Records every set a registry watcher is given. */
export function recorder(): { calls: CometInfo[][]; listener: (comets: CometInfo[]) => void; last: () => string[] } {
  const calls: CometInfo[][] = [];
  return { calls, listener: (comets) => calls.push(comets), last: () => ids(calls.at(-1) ?? []) };
}
