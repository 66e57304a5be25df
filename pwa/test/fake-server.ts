// A small in-memory server that follows sync/PROTOCOL.md's rules (decision table, idempotency,
// cursors), for tests of whole drains. Its rules are written out independently of the client's.
import type { CheckinData, PushChange, ServerCheckin } from '../src/shared/protocol';

interface Row extends ServerCheckin {}

export class ProtocolServer {
  rows = new Map<string, Row>();
  seq = 0;
  applied = new Map<string, { hash: string; result: Record<string, unknown> }>();
  requests: { method: string; path: string; body: unknown }[] = [];
  /** When false every request fails as if the network were down. */
  online = true;
  /** Status to answer every request with instead (401, 503, ...). */
  failWith: number | null = null;
  /** When true pushes are applied, but their answers are lost on the way back. */
  loseAnswers = false;
  /** Tombstones below this seq were purged; an older cursor gets `reset`. */
  purgedBelow = 0;
  /** Ids whose tombstones were purged: they stay deleted. */
  purged = new Set<string>();
  csrf = 'csrf-1';
  now = '2026-11-20T12:00:00+00:00';

  fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    if (!this.online) throw new TypeError('Failed to fetch');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    this.requests.push({ method, path: input, body });
    if (this.failWith) return json({ error: 'x', message: 'failing on purpose' }, this.failWith);
    const url = new URL(input, 'http://server');
    if (url.pathname === '/api/v1/me') return json({ csrf_token: this.csrf });
    if (method === 'POST' && new Headers(init?.headers).get('X-CSRF-Token') !== this.csrf) {
      return json({ error: 'forbidden', message: 'CSRF token missing or wrong.' }, 403);
    }
    if (url.pathname === '/api/v1/sync/push') {
      const answer = this.push(body);
      if (this.loseAnswers) throw new TypeError('Failed to fetch');
      return json(answer);
    }
    if (url.pathname === '/api/v1/sync/pull') return json(this.pull(url));
    return json({ error: 'not_found', message: 'Nothing here.' }, 404);
  };

  private push(body: { device_id: string; changes: PushChange[] }) {
    const results = body.changes.map((change) => {
      const hash = JSON.stringify([change.id, change.op, change.base_rev, change.changed_at, change.data ?? null]);
      const before = this.applied.get(change.change_id);
      if (before) {
        if (before.hash !== hash) {
          return { change_id: change.change_id, id: change.id, status: 'rejected', errors: { change_id: ['already used for a different change'] } };
        }
        const replay = { ...before.result, status: 'duplicate', outcome: before.result.status };
        // A conflict's current is the check-in as it is now: null once it is purged.
        return before.result.status === 'conflict' ? { ...replay, current: this.rows.get(change.id) ?? null } : replay;
      }
      const result = this.decide(change, body.device_id);
      this.applied.set(change.change_id, { hash, result });
      return result;
    });
    return { results, server_time: this.now };
  }

  private decide(change: PushChange, deviceId: string): Record<string, unknown> {
    const base = { change_id: change.change_id, id: change.id };
    const row = this.rows.get(change.id);
    const invalid = change.op === 'put' ? validate(change.data ?? null) : null;
    if (invalid) return { ...base, status: 'rejected', errors: invalid };
    if (!row) {
      if (this.purged.has(change.id)) return { ...base, status: 'conflict', current: null };
      if (change.op === 'put' && change.base_rev !== null) {
        return { ...base, status: 'rejected', errors: { base_rev: ['unknown check-in'] } };
      }
      return this.store(change, deviceId, 1);
    }
    if (row.deleted) return { ...base, status: 'conflict', current: { ...row } };
    if (change.op === 'delete' || row.rev === change.base_rev) return this.store(change, deviceId, row.rev + 1);
    return { ...base, status: 'conflict', current: { ...row } };
  }

  private store(change: PushChange, deviceId: string, rev: number) {
    this.seq += 1;
    const previous = this.rows.get(change.id);
    const data = change.op === 'put' ? (change.data as CheckinData) : null;
    this.rows.set(change.id, {
      id: change.id,
      rev,
      seq: this.seq,
      deleted: change.op === 'delete',
      recorded_at: data?.recorded_at ?? previous?.recorded_at ?? change.changed_at,
      changed_at: change.changed_at,
      received_at: this.now,
      clock_skew: false,
      device_id: deviceId,
      data,
      scores: data ? {} : null,
    });
    return { change_id: change.change_id, id: change.id, status: 'applied', rev, seq: this.seq };
  }

  /** What the purge job does once tombstones are past retention (change records are kept, ids remembered). */
  purgeTombstones(): void {
    for (const row of [...this.rows.values()].filter((r) => r.deleted)) {
      this.rows.delete(row.id);
      this.purged.add(row.id);
      this.purgedBelow = Math.max(this.purgedBelow, row.seq + 1);
    }
  }

  private pull(url: URL) {
    const cursor = url.searchParams.get('cursor');
    const reset = cursor !== null && Number(cursor.replace('c', '')) + 1 < this.purgedBelow;
    const after = cursor && !reset ? Number(cursor.replace('c', '')) : 0;
    const limit = Number(url.searchParams.get('limit') ?? 200);
    const all = [...this.rows.values()].filter((r) => r.seq > after).sort((a, b) => a.seq - b.seq);
    const page = all.slice(0, limit);
    const last = page.length ? page[page.length - 1]!.seq : after;
    return {
      changes: page,
      cursor: `c${last}`,
      more: all.length > page.length,
      live_count: this.live().length,
      reset,
      instruments_etag: 'etag-1',
    };
  }

  live(): Row[] {
    return [...this.rows.values()].filter((r) => !r.deleted);
  }
}

function validate(data: CheckinData | null): Record<string, string[]> | null {
  if (!data) return { data: ['required for put'] };
  for (const [index, response] of data.responses.entries()) {
    for (const [item, answer] of Object.entries(response.answers)) {
      if (typeof answer === 'number' && (answer < 0 || answer > 10)) {
        return { [`data.responses.${index}.answers.${item}`]: ['must be a whole number from 0 to 10'] };
      }
    }
  }
  return null;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}
