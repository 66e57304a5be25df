// Saving, editing and deleting check-ins on the phone: the local copy changes at once and one
// outbox entry per check-in records what still has to reach the server (PROTOCOL.md, clients 1).
import type { AlongsideDB, LocalCheckin, OutboxEntry, RejectedChange, WriteTx } from './db';
import { newId, isoNow } from './ids';
import type { CheckinData } from './protocol';

type Tx = WriteTx;

async function nextOrder(tx: Tx): Promise<number> {
  const meta = tx.objectStore('meta');
  const order = (((await meta.get('order_counter')) as number | undefined) ?? 0) + 1;
  await meta.put(order, 'order_counter');
  return order;
}

/** The rev a new change should be based on: the server's version, if it has one. */
function serverRev(local: LocalCheckin | undefined): number | null {
  return local?.server ? local.server.rev : null;
}

/** Save a new check-in (no `id`) or an edit of one; returns the check-in's id. */
export async function saveCheckin(
  db: AlongsideDB,
  data: CheckinData,
  options: { id?: string; now?: Date } = {},
): Promise<string> {
  const id = options.id ?? newId();
  const changedAt = isoNow(options.now);
  const tx = db.transaction(['checkins', 'outbox', 'rejected', 'meta'], 'readwrite');
  const existing = await tx.objectStore('checkins').get(id);
  const local: LocalCheckin = {
    id,
    // An edit never moves when the check-in was made (PROTOCOL.md, check-in content).
    data: existing?.data ? { ...data, recorded_at: existing.data.recorded_at } : data,
    deleted: false,
    changed_at: changedAt,
    server: existing?.server ?? null,
  };
  await tx.objectStore('checkins').put(local);
  const waiting = await tx.objectStore('outbox').get(id);
  const entry: OutboxEntry = waiting
    ? // Coalesce: the unsent change takes the new content and keeps its base_rev; a new
      // change_id, because the content differs from anything sent under the old one.
      { ...waiting, change_id: newId(), op: 'put', data: local.data, changed_at: changedAt }
    : {
        id,
        change_id: newId(),
        op: 'put',
        base_rev: serverRev(existing),
        changed_at: changedAt,
        data: local.data,
        attempts: 0,
        repushes: 0,
        order: await nextOrder(tx),
      };
  await tx.objectStore('outbox').put(entry);
  // Saving a check-in that was in the "needs attention" list is the fix: it goes out anew.
  await tx.objectStore('rejected').delete(id);
  await tx.done;
  return id;
}

/** Delete a check-in on the phone and queue the delete (or drop a change never sent). */
export async function deleteCheckin(
  db: AlongsideDB,
  id: string,
  options: { now?: Date } = {},
): Promise<void> {
  const changedAt = isoNow(options.now);
  const tx = db.transaction(['checkins', 'outbox', 'rejected', 'meta'], 'readwrite');
  const checkins = tx.objectStore('checkins');
  const outbox = tx.objectStore('outbox');
  const existing = await checkins.get(id);
  const waiting = await outbox.get(id);
  await tx.objectStore('rejected').delete(id);
  const serverNeverSawIt =
    !existing?.server && (!waiting || (waiting.base_rev === null && waiting.attempts === 0));
  if (serverNeverSawIt) {
    // Nothing about it ever left the phone: forget it entirely.
    await outbox.delete(id);
    await checkins.delete(id);
    await tx.done;
    return;
  }
  if (existing) {
    await checkins.put({ ...existing, data: null, deleted: true, changed_at: changedAt });
  }
  const entry: OutboxEntry = waiting
    ? { ...waiting, change_id: newId(), op: 'delete', data: null, changed_at: changedAt }
    : {
        id,
        change_id: newId(),
        op: 'delete',
        base_rev: serverRev(existing),
        changed_at: changedAt,
        data: null,
        attempts: 0,
        repushes: 0,
        order: await nextOrder(tx),
      };
  await outbox.put(entry);
  await tx.done;
}

/** Discard a change the server would not take: the phone goes back to the server's version. */
export async function discardRejected(db: AlongsideDB, id: string): Promise<void> {
  const tx = db.transaction(['checkins', 'rejected'], 'readwrite');
  const rejected = await tx.objectStore('rejected').get(id);
  const local = await tx.objectStore('checkins').get(id);
  const server = rejected?.current ?? local?.server ?? null;
  if (!server) {
    await tx.objectStore('checkins').delete(id);
  } else {
    await tx.objectStore('checkins').put({
      id,
      data: server.data,
      deleted: server.deleted,
      changed_at: server.changed_at,
      server,
    });
  }
  await tx.objectStore('rejected').delete(id);
  await tx.done;
}

/** Keep this phone's version of a check-in changed on another device: send it again. */
export async function keepMine(db: AlongsideDB, id: string, options: { now?: Date } = {}) {
  const rejected = await db.get('rejected', id);
  if (!rejected) return;
  const tx = db.transaction(['checkins', 'outbox', 'rejected', 'meta'], 'readwrite');
  const change = rejected.change;
  const entry: OutboxEntry = {
    ...change,
    change_id: newId(),
    base_rev: rejected.current?.rev ?? change.base_rev,
    changed_at: isoNow(options.now),
    attempts: 0,
    repushes: 0,
    order: await nextOrder(tx),
  };
  await tx.objectStore('outbox').put(entry);
  await tx.objectStore('rejected').delete(id);
  await tx.done;
}

/** Everything in the outbox, oldest first. */
export async function waitingChanges(db: AlongsideDB): Promise<OutboxEntry[]> {
  return db.getAllFromIndex('outbox', 'by_order');
}

export async function rejectedChanges(db: AlongsideDB): Promise<RejectedChange[]> {
  return db.getAll('rejected');
}

/** Check-ins the person can see, newest first. */
export async function visibleCheckins(db: AlongsideDB): Promise<LocalCheckin[]> {
  const all = await db.getAll('checkins');
  return all
    .filter((c): c is LocalCheckin & { data: CheckinData } => !c.deleted && c.data !== null)
    .sort((a, b) => Date.parse(b.data.recorded_at) - Date.parse(a.data.recorded_at));
}
