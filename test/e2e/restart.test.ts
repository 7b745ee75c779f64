import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { ChatHttp } from "@chatroom/client";
import { FAST_ENV, username } from "./support/fixture.ts";

const MAIN = resolve(import.meta.dirname, "../../services/all-in-one/src/main.ts");

/** Runs `node services/all-in-one/src/main.ts` (what `npm start` runs) and waits for its URL. */
async function startProcess(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...FAST_ENV, CHATROOM_PORT: "0", CHATROOM_DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 20 s; output:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /open (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${output}`));
    });
  });
  return { child, url };
}

async function stopProcess(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolveExit) => child.once("exit", (code) => resolveExit(code)));
  child.kill("SIGTERM");
  return exited;
}

describe("restarting the all-in-one process", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "chatroom-restart-"));
  const children: ChildProcess[] = [];
  after(async () => {
    for (const child of children) await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps accounts, sessions, rooms and history", async () => {
    const first = await startProcess(dataDir);
    children.push(first.child);
    const name = username("restart");
    const http = new ChatHttp({ baseUrl: first.url });
    const registered = await http.register(name, "correct horse battery");
    await http.createRoom("survivors", "Survivors");
    await http.sendMessage("survivors", "before the restart");
    await http.sendMessage("survivors", "<b>still</b> '; DROP TABLE messages; --");
    assert.equal(await stopProcess(first.child), 0, "a graceful shutdown exits with 0");

    const second = await startProcess(dataDir);
    children.push(second.child);
    const withOldToken = new ChatHttp({ baseUrl: second.url, token: registered.token });
    assert.equal((await withOldToken.me()).username, name, "the session token is still valid");
    const loggedIn = new ChatHttp({ baseUrl: second.url });
    await loggedIn.login(name, "correct horse battery");
    const rooms = await loggedIn.myRooms();
    assert.deepEqual(rooms.map((r) => r.id).sort(), ["lobby", "survivors"]);
    const page = await loggedIn.history("survivors");
    assert.deepEqual(
      page.messages.map((m) => [m.seq, m.text]),
      [
        [1, "before the restart"],
        [2, "<b>still</b> '; DROP TABLE messages; --"],
      ],
    );
    const next = await loggedIn.sendMessage("survivors", "after the restart");
    assert.equal(next.message.seq, 3, "seq continues after the restart");
    assert.equal(await stopProcess(second.child), 0);
  });
});
