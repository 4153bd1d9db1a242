/**
 * Orchestrator side of the load workers: spawns N `load-worker.ts` processes
 * pinned to the load CPU, sends them requests and awaits their replies, each
 * with a deadline. Workers exit when the orchestrator disconnects.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../../helpers/server";
import { withTimeout } from "../../helpers/wait";
import type { WorkerReply, WorkerRequest, WorkerStatus } from "../load/protocol";

export class Workers {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(readonly procs: ChildProcess[]) {
    for (const p of procs) {
      p.on("message", (reply: WorkerReply) => {
        const waiter = this.pending.get(reply.id);
        if (!waiter) return;
        this.pending.delete(reply.id);
        if (reply.ok) waiter.resolve(reply.result);
        else waiter.reject(new Error(reply.error));
      });
      p.on("exit", (code) => {
        for (const [, w] of this.pending) w.reject(new Error(`load worker exited with ${code}`));
        this.pending.clear();
      });
    }
  }

  /** Starts `count` workers, pinned to `cpus` when given. */
  static async start(count: number, cpus: string | null): Promise<Workers> {
    const entry = [process.execPath, "--max-old-space-size=4096", "--import", "tsx", join(ROOT, "tests/bench/load-worker.ts")];
    const procs = Array.from({ length: count }, () => {
      const [cmd, ...args] = cpus !== null ? ["taskset", "-c", cpus, ...entry] : entry;
      // "advanced" (structured clone) keeps NaN and Infinity, which JSON would turn into null.
      return spawn(cmd!, args, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });
    });
    const workers = new Workers(procs);
    await Promise.all(procs.map((_, i) => workers.call(i, { op: "status" }, 30_000)));
    return workers;
  }

  get size(): number {
    return this.procs.length;
  }

  /** One request to worker `index`. */
  call<T = unknown>(index: number, req: WorkerRequest, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.procs[index]!.send({ id, req });
    });
    return withTimeout(reply, timeoutMs, `load worker ${index}: ${req.op}`).finally(() => this.pending.delete(id));
  }

  /** The same kind of request to every worker, built per worker. */
  all<T = unknown>(build: (index: number) => WorkerRequest, timeoutMs: number): Promise<T[]> {
    return Promise.all(this.procs.map((_, i) => this.call<T>(i, build(i), timeoutMs)));
  }

  /** CPU and event-loop delay of every worker since the previous status call. */
  status(): Promise<WorkerStatus[]> {
    return this.all<WorkerStatus>(() => ({ op: "status" }), 30_000);
  }

  async stop(): Promise<void> {
    await this.all(() => ({ op: "closeAll" }), 60_000).catch(() => undefined);
    for (const p of this.procs) {
      if (p.exitCode === null && p.signalCode === null) {
        p.disconnect();
        const exited = new Promise<void>((r) => p.once("exit", () => r()));
        await withTimeout(exited, 5_000, "load worker to exit").catch(() => p.kill("SIGKILL"));
      }
    }
  }
}
