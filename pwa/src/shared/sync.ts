// The one drain: push the outbox, then pull, by the rules of sync/PROTOCOL.md (clients 1-5).
// It never decides *when* to run: drain-scheduler.ts does, for the page and the service worker.
import { ApiError, request, type FetchLike } from './api';
import { resolveConflict } from './conflict';
import type { AlongsideDB, LocalCheckin, OutboxEntry, RejectedChange, WriteTx } from './db';
import { newId } from './ids';
import { getMeta, setMeta } from './meta';
import {
  MAX_CHANGES_PER_PUSH,
  MAX_PUSH_BYTES,
  type FieldErrors,
  type PullResponse,
  type PushChange,
  type PushRequest,
  type PushResponse,
  type PushResult,
  type ServerCheckin,
} from './protocol';

export const PULL_LIMIT = 200;
// Rounds of push per drain: enough for a full outbox plus MAX_REPUSHES conflict rounds, and a
// bound so a person editing continuously cannot keep a drain alive forever.
const MAX_PUSH_ROUNDS = 12;
const PUSH_PATH = '/api/v1/sync/push';
const PULL_PATH = '/api/v1/sync/pull';

export interface SyncContext {
  db: AlongsideDB;
  fetch: FetchLike;
  deviceId: string;
  /** Called after a pull whose instruments_etag differs from the stored definitions'. */
  onInstrumentsChanged?: (etag: string) => Promise<void>;
}

export type DrainOutcome =
  | { kind: 'done'; pushed: number; pulled: number }
  /** 401: the session is gone; the outbox is kept until the person signs in again. */
  | { kind: 'auth' }
  /** Network failure, 429 or 5xx: back off and try again. */
  | { kind: 'retry'; error: string; retryAfter: string | null };

interface SyncState {
  csrf: string | null;
  csrfRefreshed: boolean;
}

/** The JSON form of one outbox entry in a push request. */
export function toPushChange(entry: OutboxEntry): PushChange {
  const change: PushChange = {
    change_id: entry.change_id,
    id: entry.id,
    op: entry.op,
    base_rev: entry.base_rev,
    changed_at: entry.changed_at,
  };
  if (entry.op === 'put') change.data = entry.data;
  return change;
}

const encoder = new TextEncoder();

/** Split entries into requests of at most 500 changes and under 1 MiB each. */
export function batchesOf(entries: OutboxEntry[], deviceId: string): OutboxEntry[][] {
  const envelope = encoder.encode(JSON.stringify({ device_id: deviceId, changes: [] })).length;
  const batches: OutboxEntry[][] = [];
  let batch: OutboxEntry[] = [];
  let bytes = envelope;
  for (const entry of entries) {
    const size = encoder.encode(JSON.stringify(toPushChange(entry))).length + 1;
    if (batch.length && (batch.length >= MAX_CHANGES_PER_PUSH || bytes + size > MAX_PUSH_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = envelope;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length) batches.push(batch);
  return batches;
}

async function send(
  ctx: SyncContext,
  state: SyncState,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  const options = { fetch: ctx.fetch, csrfToken: () => state.csrf };
  try {
    return await request(options, method, path, body);
  } catch (error) {
    // A stale CSRF token (say, after the person signed in again in another tab): fetch the
    // current one once and retry.
    if (error instanceof ApiError && error.status === 403 && !state.csrfRefreshed) {
      state.csrfRefreshed = true;
      const me = (await (await request(options, 'GET', '/api/v1/me')).json()) as {
        csrf_token?: string | null;
      };
      if (me.csrf_token) {
        state.csrf = me.csrf_token;
        await setMeta(ctx.db, 'csrf_token', me.csrf_token);
        return request(options, method, path, body);
      }
    }
    throw error;
  }
}

/** What the server now holds after one of our own changes was applied. */
function acknowledgedVersion(
  entry: OutboxEntry,
  rev: number,
  seq: number,
  deviceId: string,
  serverTime: string,
  previous: ServerCheckin | null,
): ServerCheckin {
  return {
    id: entry.id,
    rev,
    seq,
    deleted: entry.op === 'delete',
    recorded_at: entry.data?.recorded_at ?? previous?.recorded_at ?? entry.changed_at,
    changed_at: entry.changed_at,
    received_at: serverTime,
    clock_skew: false,
    device_id: deviceId,
    data: entry.op === 'delete' ? null : entry.data,
    scores: null,
  };
}

type PushTx = WriteTx;

/**
 * A replayed conflict whose check-in the server no longer holds: deleted, and its tombstone
 * purged since the first answer. A delete beats an edit, so the sent change and the local copy
 * go. A newer change still waiting stays, settled by its own push, as after a reset.
 */
async function forgetPurged(
  tx: PushTx,
  sent: OutboxEntry,
  stillSame: boolean,
  local: LocalCheckin | undefined,
): Promise<void> {
  const outbox = tx.objectStore('outbox');
  if (stillSame) await outbox.delete(sent.id);
  const pending = (await outbox.get(sent.id)) ?? (await tx.objectStore('rejected').get(sent.id));
  if (local && pending) await tx.objectStore('checkins').put({ ...local, server: null });
  else await tx.objectStore('checkins').delete(sent.id);
}

async function applyOutcome(
  tx: PushTx,
  ctx: SyncContext,
  sent: OutboxEntry,
  result: PushResult,
  serverTime: string,
): Promise<void> {
  const checkins = tx.objectStore('checkins');
  const outbox = tx.objectStore('outbox');
  const rejected = tx.objectStore('rejected');
  const local = await checkins.get(sent.id);
  const waiting = await outbox.get(sent.id);
  const stillSame = waiting?.change_id === sent.change_id;
  const status = result.status === 'duplicate' ? result.outcome : result.status;

  if (status === 'applied') {
    const { rev, seq } = result as { rev?: number; seq?: number };
    if (rev === undefined || seq === undefined) throw new Error('applied result without rev/seq');
    const server = acknowledgedVersion(sent, rev, seq, ctx.deviceId, serverTime, local?.server ?? null);
    if (local && !stillSame) {
      // A newer edit is on the phone: keep showing it, remember the server's version.
      await checkins.put({ ...local, server });
    } else {
      // The phone shows exactly what the server now holds.
      await checkins.put({ id: sent.id, data: server.data, deleted: server.deleted, changed_at: sent.changed_at, server });
    }
    if (stillSame) {
      await outbox.delete(sent.id);
    } else if (waiting) {
      // Edited while this change was on its way: the newer edit was made on top of the version
      // just applied. New base_rev, so a new change_id too (its content changed).
      await outbox.put({ ...waiting, base_rev: rev, change_id: newId() });
    }
    return;
  }

  if (status === 'rejected') {
    const errors: FieldErrors = (result as { errors?: FieldErrors }).errors ?? {};
    // A newer edit already replaced the refused content; it gets its own chance.
    if (!stillSame || !waiting) return;
    await outbox.delete(sent.id);
    const record: RejectedChange = {
      id: sent.id,
      change: waiting,
      reason: 'rejected',
      errors,
      current: null,
      at: serverTime,
    };
    await rejected.put(record);
    return;
  }

  // A conflict: the server's version moved on.
  const { current } = result as { current?: ServerCheckin | null };
  if (current === undefined) throw new Error('conflict result without current');
  if (current === null) return forgetPurged(tx, sent, stillSame, local);
  if (!waiting) {
    // The local change is gone (discarded meanwhile): just take the server's version.
    await checkins.put({ id: current.id, data: current.data, deleted: current.deleted, changed_at: current.changed_at, server: current });
    return;
  }
  const resolution = resolveConflict(waiting, current, { deviceId: ctx.deviceId, serverTime });
  if (resolution.action === 'adopt') {
    await outbox.delete(sent.id);
    await checkins.put({
      id: current.id,
      data: current.data,
      deleted: current.deleted,
      changed_at: current.changed_at,
      server: current,
    });
    return;
  }
  const keptLocal: LocalCheckin = {
    id: sent.id,
    data: local?.data ?? waiting.data,
    deleted: local?.deleted ?? waiting.op === 'delete',
    changed_at: local?.changed_at ?? waiting.changed_at,
    server: current,
  };
  await checkins.put(keptLocal);
  if (resolution.action === 'repush') {
    await outbox.put({
      ...waiting,
      base_rev: resolution.base_rev,
      change_id: newId(),
      repushes: waiting.repushes + 1,
    });
    return;
  }
  await outbox.delete(sent.id);
  await rejected.put({
    id: sent.id,
    change: waiting,
    reason: 'changed_elsewhere',
    errors: {},
    current,
    at: serverTime,
  });
}

/** Push one batch (the oldest waiting changes); returns how many results came back. */
export async function pushOnce(ctx: SyncContext, state?: SyncState): Promise<number> {
  const syncState = state ?? { csrf: (await getMeta(ctx.db, 'csrf_token')) ?? null, csrfRefreshed: false };
  const entries = await ctx.db.getAllFromIndex('outbox', 'by_order');
  const batch = batchesOf(entries, ctx.deviceId)[0];
  if (!batch) return 0;
  // Count the attempt before sending: if the answer is lost, the phone must still assume the
  // server may have seen these changes.
  const counting = ctx.db.transaction('outbox', 'readwrite');
  for (const entry of batch) {
    const stored = await counting.store.get(entry.id);
    if (stored && stored.change_id === entry.change_id) {
      await counting.store.put({ ...stored, attempts: stored.attempts + 1 });
    }
  }
  await counting.done;
  const body: PushRequest = { device_id: ctx.deviceId, changes: batch.map(toPushChange) };
  let response: PushResponse;
  try {
    response = (await (await send(ctx, syncState, 'POST', PUSH_PATH, body)).json()) as PushResponse;
  } catch (error) {
    if (error instanceof ApiError && error.failure === 'refused' && error.status !== 403) {
      return await isolateRefusedBatch(ctx, syncState, batch, error);
    }
    throw error;
  }
  const tx = ctx.db.transaction(['checkins', 'outbox', 'rejected'], 'readwrite');
  for (const [index, result] of response.results.entries()) {
    const sent = batch.find((entry) => entry.change_id === result.change_id) ?? batch[index];
    if (sent) await applyOutcome(tx, ctx, sent, result, response.server_time);
  }
  await tx.done;
  return response.results.length;
}

/**
 * The server refused a whole batch as unreadable (400, 413 or 422). That should not happen, but
 * one bad change must not block everything behind it forever: with one change, keep it aside
 * for the person; with more, push them one by one so the rest still go.
 */
async function isolateRefusedBatch(
  ctx: SyncContext,
  state: SyncState,
  batch: OutboxEntry[],
  error: ApiError,
): Promise<number> {
  if (batch.length === 1) {
    const entry = batch[0]!;
    const tx = ctx.db.transaction(['outbox', 'rejected'], 'readwrite');
    const waiting = await tx.objectStore('outbox').get(entry.id);
    if (waiting?.change_id === entry.change_id) {
      await tx.objectStore('outbox').delete(entry.id);
      await tx.objectStore('rejected').put({
        id: entry.id,
        change: waiting,
        reason: error.status === 413 ? 'too_large' : 'rejected',
        errors: error.details ?? { change: [error.message] },
        current: null,
        at: new Date().toISOString(),
      });
    }
    await tx.done;
    return 1;
  }
  let handled = 0;
  for (const entry of batch) {
    const one = ctx.db.transaction('outbox', 'readwrite');
    const stored = await one.store.get(entry.id);
    await one.done;
    if (!stored) continue;
    const body: PushRequest = { device_id: ctx.deviceId, changes: [toPushChange(stored)] };
    try {
      const response = (await (await send(ctx, state, 'POST', PUSH_PATH, body)).json()) as PushResponse;
      const tx = ctx.db.transaction(['checkins', 'outbox', 'rejected'], 'readwrite');
      for (const result of response.results) await applyOutcome(tx, ctx, stored, result, response.server_time);
      await tx.done;
    } catch (inner) {
      if (!(inner instanceof ApiError) || inner.failure !== 'refused') throw inner;
      await isolateRefusedBatch(ctx, state, [stored], inner);
    }
    handled += 1;
  }
  return handled;
}

/** Store one pulled page and its cursor in one transaction (PROTOCOL.md, clients 3). */
export async function applyPullPage(
  db: AlongsideDB,
  page: PullResponse,
  options: { replace: boolean },
): Promise<void> {
  const tx = db.transaction(['checkins', 'outbox', 'rejected', 'meta'], 'readwrite');
  const checkins = tx.objectStore('checkins');
  const outbox = tx.objectStore('outbox');
  const rejected = tx.objectStore('rejected');
  if (options.replace) {
    // Start the server's side afresh; changes still waiting on this phone are kept.
    for (const local of await checkins.getAll()) {
      const pending = (await outbox.get(local.id)) ?? (await rejected.get(local.id));
      if (pending) await checkins.put({ ...local, server: null });
      else await checkins.delete(local.id);
    }
  }
  for (const change of page.changes) {
    const local = await checkins.get(change.id);
    const pending = (await outbox.get(change.id)) ?? (await rejected.get(change.id));
    if (pending && local) {
      // Only the server's rev is remembered; the next push settles the difference.
      await checkins.put({ ...local, server: change });
    } else {
      await checkins.put({
        id: change.id,
        data: change.data,
        deleted: change.deleted,
        changed_at: change.changed_at,
        server: change,
      });
    }
  }
  await tx.objectStore('meta').put(page.cursor, 'cursor');
  await tx.done;
}

/** Check-ins the server is known to hold live (for the live_count divergence check). */
export async function serverLiveCount(db: AlongsideDB): Promise<number> {
  const all = await db.getAll('checkins');
  return all.filter((c) => c.server && !c.server.deleted).length;
}

function pullPath(cursor: string | null, limit: number): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return `${PULL_PATH}?${query.toString()}`;
}

/** Fetch one page after the stored cursor and store it; returns the page. */
export async function pullOnce(
  ctx: SyncContext,
  options: { replace?: boolean; limit?: number } = {},
  state?: SyncState,
): Promise<PullResponse> {
  const syncState = state ?? { csrf: null, csrfRefreshed: true };
  const cursor = options.replace ? null : ((await getMeta(ctx.db, 'cursor')) ?? null);
  const path = pullPath(cursor, options.limit ?? PULL_LIMIT);
  const page = (await (await send(ctx, syncState, 'GET', path)).json()) as PullResponse;
  await applyPullPage(ctx.db, page, { replace: Boolean(options.replace) || page.reset });
  return page;
}

/** Pull until `more` is false; re-download once if the live count disagrees. */
export async function pullAll(ctx: SyncContext, state?: SyncState): Promise<number> {
  let pulled = 0;
  let redownloaded = false;
  let replace = false;
  for (;;) {
    let page: PullResponse;
    try {
      page = await pullOnce(ctx, { replace }, state);
    } catch (error) {
      // A cursor the server cannot read (422) would fail every drain forever: start again
      // from the beginning, keeping what waits in the outbox.
      if (error instanceof ApiError && error.status === 422 && !replace && !redownloaded) {
        redownloaded = true;
        replace = true;
        continue;
      }
      throw error;
    }
    replace = false;
    pulled += page.changes.length;
    if (page.more) continue;
    if (page.instruments_etag && ctx.onInstrumentsChanged) {
      const known = await getMeta(ctx.db, 'instruments_etag');
      if (known !== page.instruments_etag) await ctx.onInstrumentsChanged(page.instruments_etag);
    }
    if (!redownloaded && (await serverLiveCount(ctx.db)) !== page.live_count) {
      // The phone's copy has drifted from the server's: download everything again.
      redownloaded = true;
      replace = true;
      continue;
    }
    return pulled;
  }
}

/** Push everything waiting, then pull; never throws for network or server trouble. */
export async function drain(ctx: SyncContext): Promise<DrainOutcome> {
  const state: SyncState = {
    csrf: (await getMeta(ctx.db, 'csrf_token')) ?? null,
    csrfRefreshed: false,
  };
  let pushed = 0;
  try {
    for (let round = 0; round < MAX_PUSH_ROUNDS; round += 1) {
      const handled = await pushOnce(ctx, state);
      if (handled === 0) break;
      pushed += handled;
    }
    const pulled = await pullAll(ctx, state);
    await setMeta(ctx.db, 'auth', 'signed_in');
    await setMeta(ctx.db, 'last_synced_at', new Date().toISOString());
    return { kind: 'done', pushed, pulled };
  } catch (error) {
    if (error instanceof ApiError) {
      if (error.failure === 'auth') {
        await setMeta(ctx.db, 'auth', 'needs_sign_in');
        return { kind: 'auth' };
      }
      return { kind: 'retry', error: error.message, retryAfter: error.retryAfter };
    }
    throw error;
  }
}
