// Help offered after very low answers (issue 14): the thresholds against worked examples, scored
// by the real instrument definitions; the built-in defaults; the phone's stored copy.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSnapshot } from '../src/app/state';
import { openAlongsideDB } from '../src/shared/db';
import {
  DEFAULT_URGENT,
  helpOffered,
  isEmergency,
  NATIONAL_CONTACTS,
  NATIONAL_SUPPORT,
  parseSupport,
  refreshSupport,
  rememberHelpOffered,
  smsHref,
  supportOrDefaults,
  telHref,
  veryLowAnswers,
  webLink,
} from '../src/shared/help';
import type { Instrument } from '../src/shared/instruments';
import { getMeta, setMeta } from '../src/shared/meta';
import type { Answer, InstrumentResponse } from '../src/shared/protocol';

const definition = (id: string): Instrument =>
  JSON.parse(readFileSync(new URL(`../../server/instruments/definitions/${id}.json`, import.meta.url), 'utf8')) as Instrument;

const instruments = ['alongside-checkin', 'who5', 'ons4', 'ons-loneliness'].map(definition);

const response = (instrument: string, answers: Record<string, Answer>, version = 1): InstrumentResponse => ({
  instrument,
  version,
  answers,
});

const who5 = (...values: number[]) =>
  response(
    'who5',
    Object.fromEntries(
      ['who5_cheerful', 'who5_calm', 'who5_active', 'who5_rested', 'who5_interest']
        .slice(0, values.length)
        .map((id, i) => [id, values[i]!]),
    ),
  );

const checkin = (answers: Record<string, Answer>) => response('alongside-checkin', answers);
const lonely = (code: number) => response('ons-loneliness', { ons_lonely: code });

describe('very low answers', () => {
  it('the check-in from the issue: every answer 0 and lonely often/always crosses all four', () => {
    const responses = [
      checkin({
        trust_peer_worker: 0,
        trust_understood: 0,
        trust_own_pace: 0,
        hope_weeks_ahead: 0,
        hope_self_care: 0,
        hope_have_a_say: 0,
        connection_people: 0,
        connection_asking_services: 0,
        active_days: 0,
      }),
      who5(0, 0, 0, 0, 0),
      lonely(4),
    ];
    expect(veryLowAnswers(responses, instruments, DEFAULT_URGENT)).toEqual([
      'who5/wellbeing',
      'alongside-checkin/hope',
      'alongside-checkin/trust',
      'ons-loneliness/loneliness',
    ]);
  });

  it('WHO-5: a raw 7 of 25 (28 of 100) is very low, 8 (32) is not, and a skipped item gives no score', () => {
    expect(who5Ids(who5(2, 2, 1, 1, 1))).toEqual(['who5/wellbeing']);
    expect(who5Ids(who5(2, 2, 2, 1, 1))).toEqual([]);
    expect(who5Ids(who5(0, 0, 0, 0))).toEqual([]);
  });

  it('hope and trust: the mean of the answered items, at most 1 of 10', () => {
    expect(ids([checkin({ hope_weeks_ahead: 1, hope_self_care: 1 })])).toEqual(['alongside-checkin/hope']);
    expect(ids([checkin({ hope_weeks_ahead: 0, hope_self_care: 2, hope_have_a_say: 1 })])).toEqual([
      'alongside-checkin/hope',
    ]);
    expect(ids([checkin({ hope_weeks_ahead: 1, hope_self_care: 2 })])).toEqual([]);
    // Two answers are needed for a score (min_answered), as on the server.
    expect(ids([checkin({ hope_weeks_ahead: 0 })])).toEqual([]);
    expect(ids([checkin({ trust_peer_worker: 1, trust_understood: 0 })])).toEqual(['alongside-checkin/trust']);
    // "Not been in touch since last time" is not a low answer.
    expect(ids([checkin({ trust_peer_worker: 'na', trust_understood: 'na', hope_weeks_ahead: 9 })])).toEqual([]);
  });

  it('loneliness: only often/always (code 4)', () => {
    expect(ids([lonely(4)])).toEqual(['ons-loneliness/loneliness']);
    expect(ids([lonely(3)])).toEqual([]);
  });

  it("follows the service's own thresholds, with or without a version in the key", () => {
    const service = { 'who5@1/wellbeing': { at_most: 40 }, 'ons4/anxiety': { at_least: 6 } };
    expect(veryLowAnswers([who5(2, 2, 2, 2, 2)], instruments, service)).toEqual(['who5/wellbeing']);
    expect(veryLowAnswers([lonely(4)], instruments, service)).toEqual([]);
    expect(veryLowAnswers([response('ons4', { ons_anxiety: 7 })], instruments, service)).toEqual(['ons4/anxiety']);
  });

  it('skips answers to questions it does not have the definitions of', () => {
    expect(ids([response('who5', { who5_cheerful: 0 }, 9)])).toEqual([]);
    expect(ids([response('unknown', { a: 0 })])).toEqual([]);
    expect(veryLowAnswers([lonely(4)], [], DEFAULT_URGENT)).toEqual([]);
  });
});

function ids(responses: InstrumentResponse[]): string[] {
  return veryLowAnswers(responses, instruments, DEFAULT_URGENT);
}
const who5Ids = (r: InstrumentResponse) => ids([r]);

describe('help contacts', () => {
  it('the built-in national contacts are there with nothing stored', () => {
    const support = supportOrDefaults(undefined);
    expect(support).toBe(NATIONAL_SUPPORT);
    const byName = Object.fromEntries(support.contacts.map((c) => [c.name, c]));
    expect(byName.Samaritans).toMatchObject({ phone: '116 123', web: 'https://www.samaritans.org', hours: '24 hours, every day' });
    expect(byName['NHS 111']).toMatchObject({ phone: '111, then choose option 2', web: 'https://111.nhs.uk' });
    expect(byName.Shout).toMatchObject({ text: 'Text SHOUT to 85258', web: 'https://giveusashout.org' });
    expect(support.contacts.filter(isEmergency).map((c) => c.name)).toEqual(['Emergency']);
    expect(isEmergency({ ...byName.Emergency!, phone: '999 or 112' })).toBe(true);
    expect(isEmergency({ ...byName.Emergency!, phone: '9990 000' })).toBe(false);
    expect(support.urgent).toEqual(DEFAULT_URGENT);
  });

  it('a stored answer with no contacts or no thresholds falls back to the built-in ones', () => {
    const support = supportOrDefaults({ service: 'Riverside', contacts: [], urgent: {} });
    expect(support.service).toBe('Riverside');
    expect(support.contacts).toBe(NATIONAL_CONTACTS);
    expect(support.urgent).toBe(DEFAULT_URGENT);
  });

  it("reads the server's answer, leaving out what it cannot use", () => {
    const parsed = parseSupport({
      service: 'Riverside',
      contacts: [
        { name: 'Crisis line', purpose: null, phone: '0800 123 4567', text: null, web: null, hours: '24 hours' },
        { name: null, phone: '1' },
        'junk',
      ],
      urgent: { 'who5/wellbeing': { at_most: 32 }, 'bad/one': { at_most: 'x' } },
    });
    expect(parsed).toEqual({
      service: 'Riverside',
      contacts: [{ name: 'Crisis line', purpose: null, phone: '0800 123 4567', text: null, web: null, hours: '24 hours' }],
      urgent: { 'who5/wellbeing': { at_most: 32, at_least: null } },
    });
    expect(parseSupport({ error: 'nope' })).toBeNull();
    expect(parseSupport(null)).toBeNull();
  });

  it('makes phone, text and web links from what people read', () => {
    expect(telHref('116 123')).toBe('tel:116123');
    expect(telHref('111, then choose option 2')).toBe('tel:111');
    expect(telHref('Ask at reception')).toBeNull();
    expect(smsHref('Text SHOUT to 85258')).toBe('sms:85258?body=SHOUT');
    expect(smsHref('07700 900123')).toBe('sms:07700900123');
    expect(smsHref('Use the app')).toBeNull();
    expect(webLink('https://www.samaritans.org/')).toEqual({ href: 'https://www.samaritans.org/', label: 'www.samaritans.org' });
    expect(webLink('javascript:alert(1)')).toBeNull();
  });
});

describe('the phone keeps the support answer', () => {
  const answer = {
    service: 'Riverside',
    contacts: [{ name: 'Crisis line', purpose: 'Any time', phone: '0800 123 4567', text: null, web: null, hours: null }],
    urgent: { 'who5/wellbeing': { at_most: 32 } },
  };
  const ok = async () => new Response(JSON.stringify(answer), { status: 200, headers: { 'Content-Type': 'application/json' } });
  const offline = async (): Promise<Response> => {
    throw new TypeError('Failed to fetch');
  };

  it('round trip through meta and the snapshot', async () => {
    const db = await openAlongsideDB('help-round-trip');
    expect((await readSnapshot(db)).support).toBeNull();
    await refreshSupport(db, ok);
    const stored = await getMeta(db, 'support');
    expect(stored?.service).toBe('Riverside');
    expect((await readSnapshot(db)).support).toEqual(stored);
    expect(supportOrDefaults(stored).contacts[0]!.name).toBe('Crisis line');
    db.close();
  });

  it('a failed fetch keeps the stored copy', async () => {
    const db = await openAlongsideDB('help-offline');
    await setMeta(db, 'support', parseSupport(answer)!);
    await expect(refreshSupport(db, offline)).rejects.toThrow();
    expect((await getMeta(db, 'support'))?.service).toBe('Riverside');
    const down = async () => new Response('{}', { status: 503 });
    await expect(refreshSupport(db, down)).rejects.toThrow();
    expect((await getMeta(db, 'support'))?.contacts).toHaveLength(1);
    db.close();
  });

  it('the panel is offered once per check-in', async () => {
    const db = await openAlongsideDB('help-offered');
    expect(await helpOffered(db, 'a')).toBe(false);
    await rememberHelpOffered(db, 'a');
    await rememberHelpOffered(db, 'a');
    expect(await helpOffered(db, 'a')).toBe(true);
    expect(await helpOffered(db, 'b')).toBe(false);
    expect(await getMeta(db, 'help_offered')).toEqual(['a']);
    db.close();
  });
});
