// goim's client.js flow and goim's backend calls, unchanged, against the embedded default in goim compatibility
// mode: the comet's trusted goim listener, /sub on the public listener (session tokens), and the internal goim API.
import { startFixture } from "../e2e/support/fixture.ts";
import { describeGoimConformance } from "./support/conformance.ts";

export const GOIM_ENV: Record<string, string> = {
  CHATROOM_COMET_GOIM_LISTEN: "127.0.0.1:0",
  CHATROOM_COMET_GOIM_AUTH: "trust",
  CHATROOM_COMET_GOIM_PUBLIC_SUB: "true",
  CHATROOM_GOIM_HTTP_LISTEN: "127.0.0.1:0",
};

describeGoimConformance("goim compatibility, embedded default", async () => {
  const fixture = await startFixture(GOIM_ENV);
  const { wsUrl, httpUrl } = fixture.app.goim;
  if (!wsUrl || !httpUrl) throw new Error("the goim listeners did not start");
  const publicWs = fixture.wsUrl;
  return {
    comets: [{ trustedSub: wsUrl, publicSub: publicWs.replace(/\/ws$/, "/sub"), publicWs }],
    goimHttpUrls: [httpUrl],
    apiUrl: fixture.app.url,
    close: () => fixture.close(),
  };
});
