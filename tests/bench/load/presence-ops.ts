/**
 * Presence probes run by a load worker: clients that join, stay a moment and
 * leave on an open-loop schedule, and "ghosts" that go silent without closing
 * (a frozen tab) so the server's heartbeat TTL has to remove them.
 */
import WebSocket from "ws";
import { nowMs } from "../lib/stats";
import type { GhostRecord, JoinLeaveRecord } from "./protocol";
import { sleep } from "./chat-pool";

function hello(ws: WebSocket, clientId: string): void {
  ws.send(JSON.stringify({ type: "hello", v: 1, clientId, name: "probe", color: "#aa3300" }));
}

/** Opens a socket, says hello and resolves at welcome (rejects after `timeoutMs`). */
function joinOne(url: string, clientId: string, timeoutMs: number): Promise<{ ws: WebSocket; helloAt: number; welcomeAt: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let helloAt = 0;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("no welcome"));
    }, timeoutMs);
    ws.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    ws.on("open", () => {
      helloAt = nowMs();
      hello(ws, clientId);
    });
    ws.on("message", (data, isBinary) => {
      if (!isBinary && String(data).startsWith('{"type":"welcome"')) {
        clearTimeout(timer);
        resolve({ ws, helloAt, welcomeAt: nowMs() });
      }
    });
  });
}

/** `count` clients, one every `intervalMs`: join, stay `holdMs`, close cleanly. */
export async function joinLeave(url: string, prefix: string, startAt: number, count: number, intervalMs: number, holdMs: number): Promise<JoinLeaveRecord[]> {
  const runs = Array.from({ length: count }, async (_, i): Promise<JoinLeaveRecord> => {
    const scheduledAt = startAt + i * intervalMs;
    await sleep(Math.max(0, scheduledAt - nowMs()));
    const clientId = `${prefix}${i}`;
    try {
      const { ws, helloAt, welcomeAt } = await joinOne(url, clientId, 10_000);
      await sleep(holdMs);
      const closeAt = nowMs();
      ws.close(1000);
      setTimeout(() => ws.terminate(), 2_000);
      return { clientId, scheduledAt, helloAt, welcomeAt, closeAt };
    } catch (err) {
      return { clientId, scheduledAt, helloAt: NaN, welcomeAt: NaN, closeAt: NaN, failed: String((err as Error).message ?? err) };
    }
  });
  return Promise.all(runs);
}

/**
 * `count` clients that beat normally for `liveMs`, then send nothing while
 * keeping the TCP connection open. Records the last frame sent and when the
 * server closed the socket (null if it did not within `waitMs`).
 */
export async function ghosts(url: string, prefix: string, count: number, liveMs: number, heartbeatMs: number, waitMs: number): Promise<GhostRecord[]> {
  const runs = Array.from({ length: count }, async (_, i): Promise<GhostRecord> => {
    await sleep(i * 50);
    const clientId = `${prefix}${i}`;
    try {
      const { ws, helloAt } = await joinOne(url, clientId, 10_000);
      const record: GhostRecord = { clientId, lastFrameAt: helloAt, closedAt: null, code: null };
      const closed = new Promise<void>((resolve) =>
        ws.on("close", (code) => {
          record.closedAt = nowMs();
          record.code = code;
          resolve();
        }),
      );
      const until = nowMs() + liveMs;
      while (nowMs() + heartbeatMs < until) {
        await sleep(heartbeatMs);
        ws.send('{"type":"heartbeat"}');
        record.lastFrameAt = nowMs();
      }
      // From here on: silence, socket left open.
      await Promise.race([closed, sleep(waitMs)]);
      ws.terminate();
      return record;
    } catch (err) {
      return { clientId, lastFrameAt: NaN, closedAt: null, code: null, failed: String((err as Error).message ?? err) };
    }
  });
  return Promise.all(runs);
}
