/**
 * A chat flood from a process of its own: many raw sockets from one address
 * posting as fast as they can. In its own process so that parsing what the
 * room answers the flood never delays the measuring test's event loop (an
 * attacker is another machine, not the victim's tab). `Flood.start` spawns
 * this file; the child joins, says "ready", floods on "go" and reports what
 * the room acknowledged, refused and closed. It exits when its parent goes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { TestClient } from "./client";
import { killGroup, ROOT } from "./server";
import { withTimeout } from "./wait";

/** `user`: every socket says hello as this one user (else each is a user of its own); `address`: what the edge would report. */
export type FloodOptions = { ws: string; room: string; address: string; user?: string; sockets: number; everyMs: number; durationMs: number };
export type FloodResult = { frames: number; acked: Array<[string, number]>; refused: Record<string, number>; closes: number[] };

type FromChild = { ready: true } | { result: FloodResult } | { error: string };

/** The parent's handle on a flood child. */
export class Flood {
  private constructor(
    private readonly child: ChildProcess,
    private readonly messages: AsyncIterator<FromChild>,
  ) {}

  /** Spawns the child and waits until every socket has joined. */
  static async start(options: FloodOptions): Promise<Flood> {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "tests/helpers/flooder.ts")], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, PARTYROOM_FLOOD: JSON.stringify(options) },
    });
    const queue: FromChild[] = [];
    let wake: (() => void) | null = null;
    child.on("message", (m: FromChild) => {
      queue.push(m);
      wake?.();
    });
    child.on("exit", (code) => {
      queue.push({ error: `the flood process exited (${code})` });
      wake?.();
    });
    const messages: AsyncIterator<FromChild> = {
      next: async () => {
        while (queue.length === 0) await new Promise<void>((r) => (wake = r));
        return { value: queue.shift()!, done: false };
      },
    };
    const flood = new Flood(child, messages);
    await flood.expect("ready", 60_000);
    return flood;
  }

  /** Floods for the options' duration; resolves with what the room did once every socket has its answers or is closed. */
  async run(): Promise<FloodResult> {
    this.child.send("go");
    return (await this.expect("result", 60_000)).result;
  }

  stop(): void {
    killGroup(this.child, "SIGKILL");
  }

  private async expect<K extends "ready" | "result">(key: K, ms: number): Promise<Extract<FromChild, Record<K, unknown>>> {
    const m = await withTimeout(this.messages.next(), ms, `the flood process to say ${key}`);
    if ("error" in m.value) throw new Error(m.value.error);
    if (!(key in m.value)) throw new Error(`the flood process said ${JSON.stringify(m.value)}`);
    return m.value as Extract<FromChild, Record<K, unknown>>;
  }
}

/** The child's side. */
async function child(options: FloodOptions): Promise<void> {
  process.on("disconnect", () => process.exit(0));
  const clients = await Promise.all(
    Array.from({ length: options.sockets }, (_, i) =>
      TestClient.join(options.ws, options.room, { clientId: options.user ?? `flooder-${i}-${Math.random().toString(36).slice(2)}`, name: `F${i}` }, { "cf-connecting-ip": options.address }).then((j) => j.client),
    ),
  );
  const result: FloodResult = { frames: 0, acked: [], refused: {}, closes: [] };
  for (const c of clients) {
    c.listeners.add((m) => {
      if (m.type === "ack") result.acked.push([m.id, m.seq]);
      else if (m.type === "error") result.refused[m.code] = (result.refused[m.code] ?? 0) + 1;
    });
  }
  process.send!({ ready: true });
  await new Promise<void>((r) => process.once("message", () => r()));
  const timer = setInterval(() => {
    for (const c of clients) if (c.closeCode === null) c.send({ type: "chat", id: `f${result.frames++}`, text: "flood" });
  }, options.everyMs);
  await new Promise((r) => setTimeout(r, options.durationMs));
  clearInterval(timer);
  // Answers still owed arrive within a moment; a socket still open then is reported as open (code 0).
  await Promise.all(clients.map((c) => c.waitClose(5_000).catch(() => null)));
  result.closes = clients.map((c) => c.closeCode ?? 0);
  process.send!({ result });
  for (const c of clients) c.terminate();
  process.exit(0);
}

if (process.env.PARTYROOM_FLOOD && process.send) {
  child(JSON.parse(process.env.PARTYROOM_FLOOD) as FloodOptions).catch((err: unknown) => {
    process.send!({ error: String(err) });
    process.exit(1);
  });
}
