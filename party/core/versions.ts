/**
 * A room's version history (PROTOCOL.md §16): the whole document saved as
 * versions, automatic, named or made by a restore, kept by retention.ts's
 * rule within a budget, stored by version-store.ts.
 *
 * Automatic versions: the first edit after a version schedules one
 * `versionEveryMs` later, and the last session that may edit leaving
 * schedules one at once; both go through the room's jobs (the storage alarm),
 * since a hibernating room has no timers and may be evicted any time. Who
 * edited since the last version is kept in storage too (`ver:pending`).
 *
 * A restore is a change like any other: one transaction on the room's Y.Doc
 * makes the text the version's text, and DocSync stores it and forwards it to
 * every peer. The state just before is saved first (unless the newest version
 * already is it), so a restore is undone by restoring that one.
 *
 * Saves, restores and record writes run one at a time (`enqueue`).
 */
import * as Y from "yjs";
import { BUDGETS, can, DOC_TEXT_NAME, type DroppedVersion, type ErrorCode, utf8Length, VERSIONS, type VersionInfo, type VersionKind, type VersionPerson } from "../protocol";
import { prune } from "./retention";
import type { RoomCore } from "./room";
import type { Session } from "./session";
import { replaceText } from "./text-replace";
import { chunkCount, stateHash, type VersionEntry, VersionStore } from "./version-store";

/** The room job that saves an automatic version. */
export const AUTO_VERSION_JOB = "versions:auto";
const PENDING_KEY = "ver:pending";
const DROPPED_KEY = "ver:dropped";
/** The origin of a restore's change: no session, so every peer is sent it. */
const RESTORE_ORIGIN = Symbol("restore");

/** Edits since the last version: when the first arrived, and by whom. */
type Pending = { since: number | null; editors: VersionPerson[]; more: number };
type State = { entries: VersionEntry[]; pending: Pending; dropped: DroppedVersion[]; nextId: number };
type Failure = { error: ErrorCode; message: string };

const nothingPending = (): Pending => ({ since: null, editors: [], more: 0 });

export class DocVersions {
  private readonly store: VersionStore;
  private state: State | null = null;
  private loading: Promise<State> | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  /** Editors past VERSIONS.editorsMax since the last version (counted once each while this instance lives). */
  private overflow = new Set<string>();

  constructor(private readonly core: RoomCore) {
    this.store = new VersionStore(core.deps.storage);
    core.jobs.register(AUTO_VERSION_JOB, () => this.saveAuto());
  }

  /** `s` changed the document: remember who, and make sure an automatic version follows. */
  edited(s: Session, now: number): void {
    const person = this.personOf(s);
    if (this.state) return this.note(this.state, person, now);
    this.load().then((st) => this.note(st, person, now), (err: unknown) => this.log("loading versions failed", err));
  }

  /** A session ended: if it was the last that may edit and edits are unsaved, a version is saved now. */
  left(s: Session): void {
    if (s.kind === "pending" || !can(s.grant.role, "edit") || this.state?.pending.since === null) return;
    for (const other of this.core.sessions.values()) if (other.kind !== "pending" && can(other.grant.role, "edit")) return;
    this.scheduleAuto(this.core.now());
  }

  /** Every version, newest first, with the room's use of its budget. */
  async list() {
    const st = await this.load();
    return {
      versions: st.entries.map(infoOf).reverse(),
      usedBytes: st.entries.reduce((n, e) => n + e.bytes, 0),
      budgetBytes: this.core.config.versionBudgetBytes,
      droppedNamed: st.dropped,
    };
  }

  /** One version's stored document state (a Yjs update); null if there is no such version. */
  async read(id: number): Promise<Uint8Array | null> {
    const entry = (await this.load()).entries.find((e) => e.id === id);
    return entry ? this.store.read(entry) : null;
  }

  /** Saves the document now as a named version. */
  create(name: string, by: VersionPerson): Promise<{ version: VersionInfo; dropped: VersionInfo[] }> {
    return this.enqueue(async () => {
      const saved = await this.save(await this.load(), { kind: "named", name, by });
      return { version: infoOf(saved.entry), dropped: saved.dropped };
    });
  }

  /** Makes the document's text that of version `id`, as a new change everyone gets, and records it. */
  restore(id: number, by: VersionPerson): Promise<{ version: VersionInfo; before: VersionInfo | null; dropped: VersionInfo[] } | Failure> {
    return this.enqueue(async () => {
      const st = await this.load();
      const entry = st.entries.find((e) => e.id === id);
      const state = entry ? await this.store.read(entry) : null;
      if (!state) return { error: "version_not_found", message: `this room has no version ${id}` } satisfies Failure;
      const target = versionText(state);
      const { store } = await this.core.loadDoc();
      const growth = utf8Length(target);
      if (store.size + growth > BUDGETS.docBytes && store.measure() + growth > BUDGETS.docBytes) {
        return { error: "doc_too_large", message: `restoring version ${id} would take the document past its size limit (${BUDGETS.docBytes} bytes)` } satisfies Failure;
      }
      const dropped: VersionInfo[] = [];
      let before: VersionInfo | null = null;
      if (st.entries.at(-1)?.hash !== stateHash(store.whole.get())) {
        const saved = await this.save(st, { kind: "auto" });
        before = infoOf(saved.entry);
        dropped.push(...saved.dropped);
      }
      this.apply(target);
      const saved = await this.save(st, { kind: "restore", by, restoredFrom: id });
      return { version: infoOf(saved.entry), before, dropped: [...dropped, ...saved.dropped] };
    });
  }

  // ------------------------------------------------------------ internals

  private note(st: State, person: VersionPerson, now: number): void {
    const p = st.pending;
    const first = p.since === null;
    if (first) p.since = now;
    if (addPerson(p, person, this.overflow) || first) void this.enqueue(() => this.core.deps.storage.put(PENDING_KEY, st.pending)).catch((err: unknown) => this.log("saving who edited failed", err));
    if (this.core.jobs.dueAt(AUTO_VERSION_JOB) === undefined) this.scheduleAuto(Math.max(now, p.since! + this.core.config.versionEveryMs));
  }

  private scheduleAuto(at: number): void {
    const due = this.core.jobs.dueAt(AUTO_VERSION_JOB);
    if (due !== undefined && due <= at) return;
    this.core.schedule(AUTO_VERSION_JOB, at);
  }

  /** The job: an automatic version, if anything was edited since the last one. */
  private saveAuto(): Promise<void> {
    return this.enqueue(async () => {
      const st = await this.load();
      if (st.pending.since !== null) await this.save(st, { kind: "auto" });
    });
  }

  /** Applies the restore's change through the document's normal path (stored, then forwarded to every peer). */
  private apply(target: string): void {
    const { store } = this.core.doc!;
    let bytes = 0;
    const count = (update: Uint8Array, origin: unknown) => {
      if (origin === RESTORE_ORIGIN) bytes += update.byteLength;
    };
    store.doc.on("update", count);
    try {
      replaceText(store.doc.getText(DOC_TEXT_NAME), target, RESTORE_ORIGIN);
    } finally {
      store.doc.off("update", count);
    }
    if (bytes > 0) {
      store.grew(bytes);
      this.core.counters.docUpdates++;
    }
  }

  /**
   * Writes the document as it is, once every update applied so far is stored
   * (a version never holds an edit the document's own log could lose), then
   * applies the retention rule.
   */
  private async save(st: State, meta: { kind: VersionKind; name?: string; by?: VersionPerson; restoredFrom?: number }): Promise<{ entry: VersionEntry; dropped: VersionInfo[] }> {
    const { store, sync } = await this.core.loadDoc();
    await new Promise<void>((resolve) => sync.whenStored(resolve));
    const state = store.whole.get();
    const taken = st.pending;
    st.pending = nothingPending();
    this.overflow = new Set();
    // Whoever restores edited the document with it.
    if (meta.kind === "restore" && meta.by) addPerson(taken, meta.by, new Set());
    const entry: VersionEntry = {
      id: st.nextId,
      kind: meta.kind,
      at: this.core.now(),
      ...(meta.name !== undefined ? { name: meta.name } : {}),
      editors: taken.editors,
      ...(taken.more ? { moreEditors: taken.more } : {}),
      ...(meta.by ? { by: meta.by } : {}),
      ...(meta.restoredFrom !== undefined ? { restoredFrom: meta.restoredFrom } : {}),
      bytes: state.byteLength,
      chars: store.doc.getText(DOC_TEXT_NAME).length,
      chunks: chunkCount(state.byteLength),
      hash: stateHash(state),
    };
    try {
      const stale = await this.store.write(entry, state, { [PENDING_KEY]: st.pending });
      if (stale) this.log(`version ${entry.id}: removed ${stale} chunks an interrupted save left`);
    } catch (err) {
      // Not saved: whoever edited still counts for the next version.
      for (const person of taken.editors) addPerson(st.pending, person, this.overflow);
      st.pending.since ??= taken.since;
      throw err;
    }
    st.nextId++;
    st.entries.push(entry);
    return { entry, dropped: await this.prune(st) };
  }

  /** Drops what the retention rule and the budget say; a named version dropped is remembered and logged. */
  private async prune(st: State): Promise<VersionInfo[]> {
    const c = this.core.config;
    const now = this.core.now();
    const { aged, overBudget } = prune(st.entries, now, { keepAllMs: c.versionKeepAllMs, periodMs: c.versionPeriodMs, keepMs: c.versionKeepMs, budgetBytes: c.versionBudgetBytes });
    const gone = new Set([...aged, ...overBudget]);
    if (gone.size === 0) return [];
    // Out of the list first: a version being dropped is never listed.
    st.entries = st.entries.filter((e) => !gone.has(e));
    const named = overBudget.filter((e) => e.kind === "named");
    if (named.length) {
      this.log(`the version budget (${c.versionBudgetBytes} bytes) dropped named versions ${named.map((e) => `${e.id} "${e.name}"`).join(", ")}`);
      st.dropped = [...named.map((e) => ({ id: e.id, name: e.name ?? "", at: e.at, droppedAt: now })).reverse(), ...st.dropped].slice(0, VERSIONS.droppedNamedMax);
      await this.core.deps.storage.put(DROPPED_KEY, st.dropped);
    }
    await this.store.remove([...gone]);
    return [...gone].map(infoOf);
  }

  private load(): Promise<State> {
    this.loading ??= (async () => {
      const storage = this.core.deps.storage;
      const [entries, pending, dropped] = await Promise.all([this.store.entries(), storage.get<Pending>(PENDING_KEY), storage.get<DroppedVersion[]>(DROPPED_KEY)]);
      this.state = { entries, pending: isPending(pending) ? pending : nothingPending(), dropped: Array.isArray(dropped) ? dropped : [], nextId: (entries.at(-1)?.id ?? 0) + 1 };
      return this.state;
    })().catch((err: unknown) => {
      this.loading = null;
      throw err;
    });
    return this.loading;
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Who a session is, for "edited by": its user (token or clientId) and the name they go by. */
  private personOf(s: Session): VersionPerson {
    const id = s.userKey ?? "";
    return { id, name: s.grant.name ?? (id ? this.core.presence.person(id)?.name : undefined) ?? "" };
  }

  private log(what: string, err?: unknown): void {
    this.core.deps.log?.(`partyroom: ${what}`, err);
  }
}

/** The text of a stored version. */
export function versionText(state: Uint8Array): string {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    return doc.getText(DOC_TEXT_NAME).toString();
  } finally {
    doc.destroy();
  }
}

/** What the API shows of an entry. */
function infoOf(e: VersionEntry): VersionInfo {
  const { chunks: _chunks, hash: _hash, ...info } = e;
  return info;
}

/** Adds `person` to the editors once (a name learnt later fills in); true if the record changed. */
function addPerson(p: Pending, person: VersionPerson, overflow: Set<string>): boolean {
  const known = p.editors.find((e) => e.id === person.id);
  if (known) {
    if (known.name || !person.name) return false;
    known.name = person.name;
    return true;
  }
  if (p.editors.length < VERSIONS.editorsMax) {
    p.editors.push(person);
    return true;
  }
  if (overflow.has(person.id)) return false;
  overflow.add(person.id);
  p.more++;
  return true;
}

function isPending(x: unknown): x is Pending {
  const p = x as Partial<Pending> | null;
  return typeof p === "object" && p !== null && Array.isArray(p.editors) && typeof p.more === "number" && (p.since === null || typeof p.since === "number");
}
