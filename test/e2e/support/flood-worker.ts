// A flooding client in a worker thread of its own, so that its CPU time is not spent on the event loop of the
// server under test (a real attacker is another machine). workerData: { url, token, durationMs, requests };
// posts how each flooding connection ended ("<close code> <reason>"), then exits.
import { parentPort, workerData } from "node:worker_threads";
import { AuthRequest, HistoryRequest, Op } from "@chatroom/proto/protocol";
import { RawClient } from "../../support/raw-client.ts";

const { url, token, durationMs, requests } = workerData as {
  url: string;
  token: string;
  durationMs: number;
  requests: number;
};

const ends: string[] = [];
const deadline = Date.now() + durationMs;
const auth = AuthRequest.encode({ token, accepts: [], client: "flood" }).finish();
const history = HistoryRequest.encode({ roomId: "lobby", beforeSeq: 0, limit: 200 }).finish();
while (Date.now() < deadline) {
  const client = await RawClient.open(url);
  // AUTH and the flood pipelined at once, as an attacker would: the comet may refuse the connection itself.
  client.send(Op.AUTH, auth);
  for (let i = 0; i < requests; i++) client.send(Op.HISTORY, history);
  const closed = await client.closed;
  ends.push(`${closed.code} ${closed.reason}`);
}
parentPort?.postMessage(ends);
