// The caseload's polling asks "anything new?" with the last ETag, reuses the last answer on an
// empty 304, and never sends one session's ETag for another session.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { caseload } from '../src/app/staff';
import { openAlongsideDB } from '../src/shared/db';
import { setMeta } from '../src/shared/meta';

const body = (people: string[]) => JSON.stringify({ people: people.map((id) => ({ id })) });

function server(answers: Response[]) {
  const sent: (string | null)[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_path: string, init?: RequestInit) => {
      sent.push(new Headers(init?.headers).get('If-None-Match'));
      return answers.shift()!;
    }),
  );
  return sent;
}

afterEach(() => vi.unstubAllGlobals());

describe('caseload polling', () => {
  it('sends the last ETag and keeps the last caseload on a 304', async () => {
    const db = await openAlongsideDB('poll-a');
    await setMeta(db, 'csrf_token', 'session-a');
    const sent = server([
      new Response(body(['sam']), { status: 200, headers: { ETag: '"one"' } }),
      new Response(null, { status: 304, headers: { ETag: '"one"' } }),
      new Response(body(['sam', 'noor']), { status: 200, headers: { ETag: '"two"' } }),
    ]);
    expect((await caseload(db)).people.map((p) => p.id)).toEqual(['sam']);
    expect((await caseload(db)).people.map((p) => p.id)).toEqual(['sam']);
    expect((await caseload(db)).people.map((p) => p.id)).toEqual(['sam', 'noor']);
    expect(sent).toEqual([null, '"one"', '"one"']);
  });

  it('does not reuse another session’s caseload', async () => {
    const db = await openAlongsideDB('poll-b');
    await setMeta(db, 'csrf_token', 'session-b');
    const sent = server([new Response(body(['kit']), { status: 200, headers: { ETag: '"three"' } })]);
    expect((await caseload(db)).people.map((p) => p.id)).toEqual(['kit']);
    expect(sent).toEqual([null]);
  });
});
