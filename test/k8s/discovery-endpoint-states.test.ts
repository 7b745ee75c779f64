import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EndpointStates } from "../../services/job/src/k8s/index.ts";
import {
  cometEndpoint,
  cometInfo,
  NOT_READY,
  READY,
  TERMINATING_DRAINING,
  TERMINATING_SERVING,
} from "./support/comets.ts";

const slice = (...endpoints: ReturnType<typeof cometEndpoint>[]) => ({ endpoints });

describe("EndpointStates", () => {
  it("reports a comet serving when its pod's endpoint is ready, and not serving when it is not", () => {
    const states = new EndpointStates([slice(cometEndpoint(0, READY), cometEndpoint(1, NOT_READY))]);
    assert.equal(states.servingOf(cometInfo(0)), true);
    assert.equal(states.servingOf(cometInfo(1)), false);
  });

  it("keeps a terminating comet that still passes its readiness probe, and drops it once it drains", () => {
    assert.equal(new EndpointStates([slice(cometEndpoint(0, TERMINATING_SERVING))]).servingOf(cometInfo(0)), true);
    assert.equal(new EndpointStates([slice(cometEndpoint(0, TERMINATING_DRAINING))]).servingOf(cometInfo(0)), false);
  });

  it("counts unset conditions as ready, as the API documents", () => {
    assert.equal(new EndpointStates([slice(cometEndpoint(0, {}))]).servingOf(cometInfo(0)), true);
    assert.equal(new EndpointStates([slice(cometEndpoint(0, { ready: false }))]).servingOf(cometInfo(0)), false);
  });

  it("finds a comet by its pod name, by its host name under the headless Service, or by its pod IP", () => {
    const states = new EndpointStates([slice(cometEndpoint(0, READY))]);
    assert.equal(states.servingOf({ id: "chatroom-comet-0", grpcAddress: "elsewhere:1" }), true);
    assert.equal(
      states.servingOf({ id: "x", grpcAddress: "chatroom-comet-0.chatroom-comet-headless.ns.svc:3109" }),
      true,
    );
    assert.equal(states.servingOf({ id: "x", grpcAddress: "10.0.0.10:3109" }), true);
    assert.equal(states.servingOf({ id: "x", grpcAddress: "dns:///10.0.0.10:3109" }), true);
  });

  it("serves a pod listed in two slices (one per address family) when either says so", () => {
    const v6 = { ...cometEndpoint(0, NOT_READY), addresses: ["fd00::10"] };
    const states = new EndpointStates([slice(cometEndpoint(0, READY)), slice(v6)]);
    assert.equal(states.servingOf(cometInfo(0)), true);
    assert.equal(states.servingOf({ id: "x", grpcAddress: "[fd00::10]:3109" }), false);
  });

  it("does not know a comet that no slice lists", () => {
    const states = new EndpointStates([slice(cometEndpoint(0, READY)), { endpoints: null }]);
    assert.equal(states.servingOf(cometInfo(1)), undefined);
    assert.equal(new EndpointStates([]).servingOf(cometInfo(0)), undefined);
  });
});
