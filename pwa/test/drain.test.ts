// Whole drains against a server that follows the protocol: offline capture, edits and deletes
// while offline, two devices, rejections kept for the person, sign-in loss, serialised drains.
import { afterEach, describe, expect, it } from 'vitest';
import { openAlongsideDB, type AlongsideDB } from '../src/shared/db';
import { runDrain } from '../src/shared/drain-scheduler';
import { getMeta, setMeta } from '../src/shared/meta';
import type { FetchLike } from '../src/shared/api';
import { deleteCheckin, discardRejected, rejectedChanges, saveCheckin, visibleCheckins, waitingChanges } from '../src/shared/outbox';
import type { CheckinData } from '../src/shared/protocol';
import { drain } from '../src/shared/sync';
import { ProtocolServer } from './fake-server';

const opened: AlongsideDB[] = [];
afterEach(() => opened.splice(0).forEach((db) => db.close()));

async function phone(name: string, server: ProtocolServer, deviceId: string) {
  const db = await openAlongsideDB(name);
  opened.push(db);
  await setMeta(db, 'device_id', deviceId);
  await setMeta(db, 'csrf_token', server.csrf);
  return { db, ctx: { db, fetch: server.fetch, deviceId } };
}

function checkin(hope: number, recordedAt = '2026-11-20T09:00:00+00:00', note: string | null = null): CheckinData {
  return {
    recorded_at: recordedAt,
    shared: false,
    note,
    responses: [{ instrument: 'alongside-checkin', version: 1, answers: { hope_weeks_ahead: hope } }],
  };
}

describe('offline capture', () => {
  it('keeps three check-ins and an edit offline, then sends exactly those three once each', async () => {
    const server = new ProtocolServer();
    const { db, ctx } = await phone('offline', server, 'device-a');
    server.online = false;
    const first = await saveCheckin(db, checkin(3, '2026-11-20T09:00:00+00:00'));
    await saveCheckin(db, checkin(4, '2026-11-20T10:00:00+00:00'));
    await saveCheckin(db, checkin(5, '2026-11-20T11:00:00+00:00'));
    await saveCheckin(db, checkin(9, '2026-11-20T09:00:00+00:00', 'edited'), { id: first });
    expect(await drain(ctx)).toMatchObject({ kind: 'retry' });
    expect(await waitingChanges(db)).toHaveLength(3);

    server.online = true;
    expect(await drain(ctx)).toMatchObject({ kind: 'done', pushed: 3 });
    expect(server.live()).toHaveLength(3);
    const edited = server.rows.get(first)!;
    expect(edited.rev).toBe(1);
    expect(edited.data?.note).toBe('edited');
    expect(edited.data?.responses[0]?.answers.hope_weeks_ahead).toBe(9);
    expect(await waitingChanges(db)).toHaveLength(0);
    // Draining again sends nothing new.
    await drain(ctx);
    expect(server.seq).toBe(3);
  });

  it('deleting a check-in the server never saw removes it without a request', async () => {
    const server = new ProtocolServer();
    const { db, ctx } = await phone('never-seen', server, 'device-a');
    const id = await saveCheckin(db, checkin(3));
    await deleteCheckin(db, id);
    expect(await waitingChanges(db)).toHaveLength(0);
    expect(await visibleCheckins(db)).toHaveLength(0);
    await drain(ctx);
    expect(server.rows.size).toBe(0);
  });

  it('an offline edit and delete of a sent check-in go out with the right base_rev', async () => {
    const server = new ProtocolServer();
    const { db, ctx } = await phone('edit-sent', server, 'device-a');
    const id = await saveCheckin(db, checkin(3));
    await drain(ctx);
    server.online = false;
    await saveCheckin(db, checkin(6), { id });
    const [waiting] = await waitingChanges(db);
    expect(waiting?.base_rev).toBe(1);
    await deleteCheckin(db, id);
    expect((await waitingChanges(db))[0]).toMatchObject({ op: 'delete', base_rev: 1 });
    server.online = true;
    await drain(ctx);
    expect(server.rows.get(id)).toMatchObject({ deleted: true, rev: 2 });
  });
});

describe('two devices', () => {
  it("one phone's check-ins reach the other on its next pull", async () => {
    const server = new ProtocolServer();
    const a = await phone('two-a', server, 'device-a');
    const b = await phone('two-b', server, 'device-b');
    await saveCheckin(a.db, checkin(3));
    await saveCheckin(a.db, checkin(4, '2026-11-21T09:00:00+00:00'));
    await drain(a.ctx);
    await drain(b.ctx);
    expect((await visibleCheckins(b.db)).map((c) => c.data?.responses[0]?.answers.hope_weeks_ahead)).toEqual([4, 3]);
  });

  it('concurrent edits: the later edit wins on both phones, a delete beats an edit', async () => {
    const server = new ProtocolServer();
    const a = await phone('conflict-a', server, 'device-a');
    const b = await phone('conflict-b', server, 'device-b');
    const id = await saveCheckin(a.db, checkin(3));
    await drain(a.ctx);
    await drain(b.ctx);
    await saveCheckin(a.db, checkin(5), { id, now: new Date('2026-11-20T10:00:00Z') });
    await saveCheckin(b.db, checkin(8), { id, now: new Date('2026-11-20T10:05:00Z') });
    await drain(a.ctx);
    await drain(b.ctx); // conflict, b's edit is later: re-pushed on top of rev 2
    await drain(a.ctx);
    expect(server.rows.get(id)?.data?.responses[0]?.answers.hope_weeks_ahead).toBe(8);
    expect((await visibleCheckins(a.db))[0]?.data?.responses[0]?.answers.hope_weeks_ahead).toBe(8);

    await deleteCheckin(a.db, id);
    await saveCheckin(b.db, checkin(1), { id });
    await drain(a.ctx);
    await drain(b.ctx);
    expect(server.rows.get(id)?.deleted).toBe(true);
    expect(await visibleCheckins(b.db)).toHaveLength(0);
    expect(await waitingChanges(b.db)).toHaveLength(0);
  });
});

describe('a check-in purged from the server', () => {
  /**
   * The server's fetch, noting what the phone holds (waiting changes, the check-in) when its
   * first pull starts: how a push was settled, before the pull (here a reset) tidies up.
   */
  function heldBeforePull(server: ProtocolServer, db: AlongsideDB, id: string) {
    let held: unknown[] | null = null;
    const fetch: FetchLike = async (input, init) => {
      if (input.startsWith('/api/v1/sync/pull') && !held) {
        held = [await waitingChanges(db), await db.get('checkins', id)];
      }
      return server.fetch(input, init);
    };
    return { fetch, beforePull: () => held };
  }

  /** b edits a check-in a deleted; b's push conflicts, its answer is lost, the tombstone purged. */
  async function editLostThenPurged(name: string) {
    const server = new ProtocolServer();
    const a = await phone(`${name}-a`, server, 'device-a');
    const b = await phone(`${name}-b`, server, 'device-b');
    const id = await saveCheckin(a.db, checkin(3));
    await drain(a.ctx);
    await drain(b.ctx);
    await deleteCheckin(a.db, id);
    await drain(a.ctx);
    await saveCheckin(b.db, checkin(8), { id });
    const [edit] = await waitingChanges(b.db);
    server.loseAnswers = true;
    expect(await drain(b.ctx)).toMatchObject({ kind: 'retry' });
    server.loseAnswers = false;
    server.purgeTombstones();
    return { server, b, id, edit: edit! };
  }

  it('an edit whose conflict is replayed after the tombstone was purged is dropped', async () => {
    const { server, b, id, edit } = await editLostThenPurged('purged');
    const { fetch, beforePull } = heldBeforePull(server, b.db, id);
    expect(await drain({ ...b.ctx, fetch })).toEqual({ kind: 'done', pushed: 1, pulled: 0 });
    const pushes = server.requests.filter((r) => r.path === '/api/v1/sync/push');
    expect(pushes.at(-1)?.body).toMatchObject({ changes: [{ change_id: edit.change_id }] });
    expect(beforePull()).toEqual([[], undefined]);
    expect(await waitingChanges(b.db)).toHaveLength(0);
    expect(await b.db.get('checkins', id)).toBeUndefined();
    expect(await rejectedChanges(b.db)).toHaveLength(0);
  });

  it('an edit first sent after the purge is a conflict with nothing, and is dropped', async () => {
    const server = new ProtocolServer();
    const a = await phone('purged-first-a', server, 'device-a');
    const b = await phone('purged-first-b', server, 'device-b');
    const id = await saveCheckin(a.db, checkin(3));
    await drain(a.ctx);
    await drain(b.ctx);
    await deleteCheckin(b.db, id);
    await drain(b.ctx);
    server.purgeTombstones();
    await saveCheckin(a.db, checkin(8), { id });
    const { fetch, beforePull } = heldBeforePull(server, a.db, id);
    expect(await drain({ ...a.ctx, fetch })).toMatchObject({ kind: 'done', pushed: 1 });
    expect(beforePull()).toEqual([[], undefined]);
    expect(await rejectedChanges(a.db)).toHaveLength(0);
    expect(server.rows.has(id)).toBe(false);
  });

  it('an edit made while that replay was on its way is dropped too: the check-in stays deleted', async () => {
    const { server, b, id } = await editLostThenPurged('purged-newer');
    let edited = false;
    const fetch: FetchLike = async (input, init) => {
      if (input === '/api/v1/sync/push' && !edited) {
        edited = true;
        await saveCheckin(b.db, checkin(9), { id });
      }
      return server.fetch(input, init);
    };
    expect(await drain({ ...b.ctx, fetch })).toMatchObject({ kind: 'done' });
    // Kept through the replay, then pushed afresh: a conflict with the purged check-in too.
    const pushes = server.requests.filter((r) => r.path === '/api/v1/sync/push');
    expect(pushes.at(-1)?.body).toMatchObject({ changes: [{ id, op: 'put' }] });
    expect(await rejectedChanges(b.db)).toHaveLength(0);
    expect(await waitingChanges(b.db)).toHaveLength(0);
    expect(await b.db.get('checkins', id)).toBeUndefined();
    expect(server.rows.has(id)).toBe(false);
  });
});

describe('what the person must see', () => {
  it('a rejected change stays on the phone with the reason until fixed or discarded', async () => {
    const server = new ProtocolServer();
    const { db, ctx } = await phone('rejected', server, 'device-a');
    const bad = await saveCheckin(db, checkin(11));
    const good = await saveCheckin(db, checkin(4, '2026-11-21T09:00:00+00:00'));
    await drain(ctx);
    expect(server.rows.has(good)).toBe(true);
    const [rejected] = await rejectedChanges(db);
    expect(rejected?.id).toBe(bad);
    expect(rejected?.errors).toEqual({ 'data.responses.0.answers.hope_weeks_ahead': ['must be a whole number from 0 to 10'] });
    expect(await visibleCheckins(db)).toHaveLength(2);

    // Fixing it is saving it again: it goes out as a new change.
    await saveCheckin(db, checkin(10), { id: bad });
    expect(await rejectedChanges(db)).toHaveLength(0);
    await drain(ctx);
    expect(server.rows.get(bad)?.data?.responses[0]?.answers.hope_weeks_ahead).toBe(10);
  });

  it('discarding a rejected new check-in removes it from the phone', async () => {
    const server = new ProtocolServer();
    const { db, ctx } = await phone('discard', server, 'device-a');
    const bad = await saveCheckin(db, checkin(11));
    await drain(ctx);
    await discardRejected(db, bad);
    expect(await visibleCheckins(db)).toHaveLength(0);
    expect(await rejectedChanges(db)).toHaveLength(0);
  });

  it('a lost session stops the drain and keeps the outbox', async () => {
    const server = new ProtocolServer();
    const { db, ctx } = await phone('auth', server, 'device-a');
    await saveCheckin(db, checkin(3));
    server.failWith = 401;
    expect(await drain(ctx)).toEqual({ kind: 'auth' });
    expect(await getMeta(db, 'auth')).toBe('needs_sign_in');
    expect(await waitingChanges(db)).toHaveLength(1);
  });

  it('a stale CSRF token is refreshed once from /me', async () => {
    const server = new ProtocolServer();
    const { db, ctx } = await phone('csrf', server, 'device-a');
    server.csrf = 'csrf-2';
    await saveCheckin(db, checkin(3));
    expect(await drain(ctx)).toMatchObject({ kind: 'done', pushed: 1 });
    expect(await getMeta(db, 'csrf_token')).toBe('csrf-2');
  });
});

describe('the drain scheduler', () => {
  it('runs one drain at a time and backs off after a failure, except for urgent reasons', async () => {
    const server = new ProtocolServer();
    const { db } = await phone('scheduler', server, 'device-a');
    await saveCheckin(db, checkin(3));
    let inFlight = 0;
    let most = 0;
    const slowFetch = async (input: string, init?: RequestInit) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      try {
        return await server.fetch(input, init);
      } finally {
        inFlight -= 1;
      }
    };
    await Promise.all([1, 2, 3].map(() => runDrain({ db, fetch: slowFetch }, 'save')));
    expect(most).toBe(1);
    expect(server.seq).toBe(1);

    server.failWith = 503;
    let now = 1_000_000;
    const options = { db, fetch: server.fetch, now: () => now, random: () => 0.99 };
    expect((await runDrain(options, 'timer')).ran).toBe(true);
    expect((await getMeta(db, 'backoff'))?.failures).toBe(1);
    now += 10;
    expect((await runDrain(options, 'timer')).ran).toBe(false);
    expect((await runDrain(options, 'online')).ran).toBe(true);
    server.failWith = null;
    now += 10 * 60 * 1000;
    expect((await runDrain(options, 'timer')).outcome).toMatchObject({ kind: 'done' });
    expect((await getMeta(db, 'backoff'))?.failures).toBe(0);
  });
});
