import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { buildWebClient } from "../../packages/web/build.ts";
import { chatFeaturesScenario } from "../browser/support/chat-features-scenario.ts";
import { launchChromium } from "../browser/support/people.ts";
import { type ClusterFixture, startClusterFixture } from "./support/cluster-fixture.ts";

/**
 * The web client through the local cluster's load balancer (as `npm run cluster` serves it): two browsers whose
 * pages, API calls and WebSockets are spread over two logics and two comets.
 */
describe("the web client on the distributed cluster", () => {
  let fixture: ClusterFixture;
  let browser: Browser;
  before(async () => {
    await buildWebClient();
    fixture = await startClusterFixture();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await fixture?.close();
  });

  it("typing, read receipts, the unread title and a ban work across logics and comets", async () => {
    await chatFeaturesScenario(browser, fixture.cluster.url);
  });
});
