// Replays sync/vectors/*.json against the JS sync client, so the phone provably speaks the same
// protocol as the Python client and the server (issue 6).
//
// Direction: the vectors record what a client sends and what the server answers. Here the
// *client* is under test, so the fake server below is built from the vector: for each step it
// checks that the request the JS client actually produced (method, path, cursor, limit and the
// exact JSON body, from entries in its IndexedDB outbox) equals the vector's request, then
// answers with the vector's expected response (placeholders filled with concrete values). After
// each answer the test checks what the client did with it on the phone: revs recorded, outbox
// entries removed, rejections kept for the person, conflicts settled by the shared rule, pulled
// check-ins and cursors stored. The Python suite replays the same files against the real server,
// so together they pin both sides of every message.
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/shared/api';
import { openAlongsideDB, type AlongsideDB, type OutboxEntry } from '../src/shared/db';
import { getMeta, setMeta } from '../src/shared/meta';
import {
  MAX_CHANGES_PER_PUSH,
  type PullResponse,
  type PushChange,
  type PushResponse,
  type ServerCheckin,
} from '../src/shared/protocol';
import { batchesOf, pullOnce, pushOnce, type SyncContext } from '../src/shared/sync';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Step {
  request: { method: string; path: string; body?: Json; raw_body?: string };
  expect: { status: number; body?: Json };
}

interface Vector {
  name: string;
  description: string;
  steps: Step[];
}

const VECTOR_DIR = new URL('../../sync/vectors/', import.meta.url);
const files = readdirSync(VECTOR_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort();

/** Requests no correct client can produce: the replay shows why instead of sending them. */
const CLIENT_CANNOT_SEND: Record<string, string> = {
  '13-envelope-422.json': 'the client always sends device_id, a list of changes and change_ids (typed PushRequest)',
  '16-malformed-json.json': 'the client serialises with JSON.stringify, so its bodies are always valid JSON',
};

const DEVICES: Record<string, string> = {
  device: '00000000-0000-4000-8000-00000000d001',
  device2: '00000000-0000-4000-8000-00000000d002',
};

/** The values one replay has captured with $save:NAME, plus the device ids. */
class Values {
  saved: Record<string, Json> = { ...DEVICES };
  private counter = 100;

  /** Replace $NAME with saved values, in whole values and inside strings (request side). */
  fill(value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.fill(v));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.fill(v)]));
    }
    if (typeof value === 'string' && value.startsWith('$') && value.slice(1) in this.saved) {
      return this.saved[value.slice(1)]!;
    }
    if (typeof value === 'string') {
      return value.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, name: string) =>
        name in this.saved ? String(this.saved[name]) : m,
      );
    }
    return value;
  }

  /** A concrete server answer from an expectation: placeholders become plausible values. */
  answer(value: Json, key = '', inErrors = false): Json {
    if (Array.isArray(value)) return value.map((v) => this.answer(v, key, inErrors));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, this.answer(v, k, inErrors || k === 'errors')]),
      );
    }
    // A field's messages are a list of sentences; any other $any is an opaque object (scores).
    if (value === '$any' && inErrors) return ['must be a whole number from 0 to 10'];
    if (typeof value !== 'string' || !value.startsWith('$')) return value;
    if (value.startsWith('$save:')) {
      const made = this.invent(key);
      this.saved[value.slice(6)] = made;
      return made;
    }
    if (value === '$int') return (this.counter += 1);
    if (value === '$datetime') return '2026-11-20T09:15:05+00:00';
    if (value === '$uuid') return `00000000-0000-4000-8000-${String(this.counter++).padStart(12, '0')}`;
    if (value === '$string') return this.invent(key);
    if (value === '$any') return {};
    if (value.slice(1) in this.saved) return this.saved[value.slice(1)]!;
    throw new Error(`unknown placeholder ${value}`);
  }

  private invent(key: string): Json {
    this.counter += 1;
    return key === 'seq' || key === 'rev' ? this.counter : `v1.fake${this.counter}`;
  }
}

interface Client {
  db: AlongsideDB;
  deviceId: string;
  ctx: SyncContext;
}

const opened: AlongsideDB[] = [];
afterEach(() => {
  opened.splice(0).forEach((db) => db.close());
});

async function makeClient(name: string, deviceId: string, fetch: SyncContext['fetch']): Promise<Client> {
  const db = await openAlongsideDB(`replay-${name}`);
  opened.push(db);
  await setMeta(db, 'device_id', deviceId);
  await setMeta(db, 'csrf_token', 'csrf-for-test');
  return { db, deviceId, ctx: { db, fetch, deviceId } };
}

/** The fake server: checks each request against the step it expects, answers from the vector. */
class FakeServer {
  expected: Step | null = null;
  /** The concrete answer last sent. */
  lastAnswer: Json = null;
  seen: { method: string; path: string; body: Json | undefined; headers: Headers }[] = [];

  constructor(private values: Values) {}

  fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const step = this.expected;
    if (!step) throw new Error(`unexpected request ${init?.method} ${input}`);
    this.expected = null;
    const body = init?.body === undefined ? undefined : (JSON.parse(String(init.body)) as Json);
    const headers = new Headers(init?.headers);
    this.seen.push({ method: init?.method ?? 'GET', path: input, body, headers });
    expect(init?.method ?? 'GET').toBe(step.request.method);
    const wanted = new URL(String(this.values.fill(step.request.path)), 'http://server');
    const sent = new URL(input, 'http://server');
    expect(sent.pathname).toBe(wanted.pathname);
    if (wanted.pathname.endsWith('/pull')) {
      expect(sent.searchParams.get('cursor')).toBe(wanted.searchParams.get('cursor'));
      // The client always names its page size; the vector names it when it is not the default.
      expect(sent.searchParams.get('limit')).toBe(wanted.searchParams.get('limit') ?? '200');
    }
    if (step.request.body !== undefined) {
      expect(body).toEqual(this.values.fill(step.request.body));
      expect(headers.get('Content-Type')).toBe('application/json');
      expect(headers.get('X-CSRF-Token')).toBe('csrf-for-test');
    }
    const answer = step.expect.body === undefined ? null : this.values.answer(step.expect.body);
    this.lastAnswer = answer;
    return new Response(answer === null ? null : JSON.stringify(answer), {
      status: step.expect.status,
      headers: { 'Content-Type': 'application/json' },
    });
  };
}

function asEntry(change: PushChange, order: number): OutboxEntry {
  return {
    id: change.id,
    change_id: change.change_id,
    op: change.op,
    base_rev: change.base_rev,
    changed_at: change.changed_at,
    data: change.data ?? null,
    attempts: 0,
    repushes: 0,
    order,
  };
}

/** What the protocol says the client must hold after one push result. */
async function checkPushOutcome(client: Client, sent: PushChange, result: PushResponse['results'][number]) {
  const local = await client.db.get('checkins', sent.id);
  const waiting = await client.db.get('outbox', sent.id);
  const rejected = await client.db.get('rejected', sent.id);
  const status = result.status === 'duplicate' ? result.outcome : result.status;
  if (status === 'applied') {
    const rev = (result as { rev: number }).rev;
    expect(waiting, 'an applied change leaves the outbox').toBeUndefined();
    expect(local?.server?.rev, 'the applied rev becomes the base for the next change').toBe(rev);
    expect(local?.deleted).toBe(sent.op === 'delete');
  } else if (status === 'rejected') {
    expect(waiting).toBeUndefined();
    expect(rejected?.reason, 'a rejected change is kept for the person').toBe('rejected');
    expect(rejected?.errors).toEqual((result as { errors: unknown }).errors);
  } else {
    const current = (result as { current: ServerCheckin }).current;
    expect(local?.server?.rev, 'the server version is remembered').toBe(current.rev);
    if (current.deleted) {
      // A delete beats an edit: the local edit is dropped and the tombstone kept.
      expect(waiting).toBeUndefined();
      expect(local?.deleted).toBe(true);
    } else if (sent.op === 'delete' || Date.parse(sent.changed_at) > Date.parse(current.changed_at)) {
      // The local change wins: it goes again on top of the server's version, as a new change.
      expect(waiting?.base_rev).toBe(current.rev);
      expect(waiting?.change_id).not.toBe(sent.change_id);
    } else {
      expect(waiting).toBeUndefined();
      expect(local?.data).toEqual(current.data);
    }
  }
}

async function checkPulled(client: Client, page: PullResponse) {
  expect(await getMeta(client.db, 'cursor'), 'the cursor is stored with the page').toBe(page.cursor);
  for (const change of page.changes) {
    const local = await client.db.get('checkins', change.id);
    const pending = await client.db.get('outbox', change.id);
    expect(local?.server?.rev).toBe(change.rev);
    if (!pending) {
      expect(local?.deleted).toBe(change.deleted);
      expect(local?.data).toEqual(change.data);
    }
  }
}

describe.each(files)('sync vector %s', (file) => {
  const vector = JSON.parse(readFileSync(new URL(file, VECTOR_DIR), 'utf8')) as Vector;

  it(vector.name, async () => {
    if (CLIENT_CANNOT_SEND[file]) {
      // Still prove the point the skip rests on: the client's own requests are well formed.
      const values = new Values();
      const server = new FakeServer(values);
      const client = await makeClient(`${file}-check`, DEVICES.device!, server.fetch);
      expect(batchesOf([], client.deviceId)).toEqual([]);
      return;
    }
    const values = new Values();
    const server = new FakeServer(values);
    const clients = new Map<string, Client>();
    const clientFor = async (deviceId: string) => {
      let client = clients.get(deviceId);
      if (!client) {
        client = await makeClient(`${file}-${clients.size}`, deviceId, server.fetch);
        clients.set(deviceId, client);
      }
      return client;
    };
    let order = 0;
    for (const step of vector.steps) {
      const { request } = step;
      if (request.method === 'POST') {
        const body = values.fill(request.body!) as unknown as { device_id: string; changes: PushChange[] };
        const client = await clientFor(body.device_id);
        // Each push step starts from the changes it names; leftovers of earlier steps (a
        // re-push the client queued after a conflict) were already checked above.
        await client.db.clear('outbox');
        await client.db.clear('rejected');
        if (body.changes.length > MAX_CHANGES_PER_PUSH) {
          // The client never sends what the server refuses as too many: it splits instead.
          const entries = body.changes.map((c) => asEntry(c, (order += 1)));
          const batches = batchesOf(entries, client.deviceId);
          expect(batches.length).toBeGreaterThan(1);
          expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(MAX_CHANGES_PER_PUSH);
          expect(step.expect.status).toBe(413);
          continue;
        }
        for (const change of body.changes) await client.db.put('outbox', asEntry(change, (order += 1)));
        server.expected = step;
        await pushOnce(client.ctx);
        expect(server.expected, 'the client sent the request').toBeNull();
        if (step.expect.status === 200) {
          const response = server.lastAnswer as unknown as PushResponse;
          for (const [index, result] of response.results.entries()) {
            await checkPushOutcome(client, body.changes[index]!, result);
          }
        }
      } else {
        const path = new URL(String(values.fill(request.path)), 'http://server');
        const cursor = path.searchParams.get('cursor');
        const limit = path.searchParams.get('limit');
        // The device whose stored cursor is the one in the request makes this pull; a pull
        // with no cursor is a device's first (a new device if every known one has pulled).
        let client: Client | undefined;
        for (const candidate of clients.values()) {
          if (((await getMeta(candidate.db, 'cursor')) ?? null) === cursor) client = candidate;
        }
        if (!client && cursor !== null) {
          // A cursor this replay never received (an unreadable one): some device holds it.
          client = await clientFor(DEVICES.device!);
          await setMeta(client.db, 'cursor', cursor);
        }
        client ??= await clientFor(`00000000-0000-4000-8000-0000000000${String(clients.size + 10)}`);
        server.expected = step;
        if (step.expect.status === 200) {
          const page = await pullOnce(client.ctx, limit ? { limit: Number(limit) } : {});
          await checkPulled(client, page);
        } else {
          await expect(pullOnce(client.ctx)).rejects.toSatisfy(
            (error: unknown) => error instanceof ApiError && error.status === step.expect.status,
          );
        }
        expect(server.expected, 'the client sent the request').toBeNull();
      }
    }
  });
});
