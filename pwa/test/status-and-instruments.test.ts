import { describe, expect, it } from 'vitest';
import { dueInstruments, itemsFor, type Instrument, type InstrumentsBundle } from '../src/shared/instruments';
import { domainRange, domainScore } from '../src/shared/scoring';
import { describeStatus } from '../src/shared/status';

const base = { waiting: 0, needsAttention: 0, online: true, needsSignIn: false, sending: false, retrying: false };

describe('the status line', () => {
  it.each([
    [{ waiting: 2 }, '2 check-ins waiting to send.'],
    [{ waiting: 1 }, '1 check-in waiting to send.'],
    [{}, 'All saved'],
    [{ waiting: 2, online: false }, "Offline. 2 check-ins waiting to send when you're back online."],
    [{ online: false }, 'Offline. Your check-ins are saved on this phone.'],
    [{ waiting: 1, sending: true }, 'Sending 1 check-in…'],
    [{ needsAttention: 1 }, 'All else saved. 1 check-in needs a look.'],
    [{ waiting: 3, needsSignIn: true }, 'Signed out. 3 check-ins are safe on this phone and will send after you sign in again.'],
  ])('%o says %s', (input, text) => {
    expect(describeStatus({ ...base, ...input }).text).toBe(text);
  });
});

const scale = (id: string, domain: string, extra: object = {}) => ({
  id,
  text: id,
  domain,
  response: { type: 'scale' as const, min: 0, max: 5, anchors: [] },
  ...extra,
});

const who5: Instrument = {
  id: 'who5',
  version: 1,
  title: 'WHO-5',
  recall_period: 'the last two weeks',
  items: ['a', 'b', 'c', 'd', 'e'].map((id) => scale(id, 'wellbeing')),
  scoring: {
    domains: [
      { id: 'wellbeing', label: 'Wellbeing', method: 'sum', min_answered: 5, prorate: false, direction: 'higher_is_better', transform: { type: 'linear', multiply: 4, add: 0 } },
    ],
  },
};
const checkin: Instrument = {
  id: 'alongside-checkin',
  version: 1,
  title: 'Check-in',
  recall_period: null,
  items: [scale('trust', 'trust', { tags: ['requires_peer_link'] }), scale('hope', 'hope')],
  scoring: { domains: [] },
};
const bundle: InstrumentsBundle = { instruments: [checkin, who5], schedule: { 'alongside-checkin': 7, who5: 14 }, etag: 'e' };

describe('which instruments are due', () => {
  const answered = (at: string) => ({ recorded_at: at, shared: false, responses: [{ instrument: 'who5', version: 1, answers: { a: 1 } }] });

  it('offers the check-in always and WHO-5 when its fortnight has come round', () => {
    const now = new Date('2026-11-20T09:00:00Z');
    expect(dueInstruments(bundle, [], now).map((i) => i.id)).toEqual(['alongside-checkin', 'who5']);
    expect(dueInstruments(bundle, [answered('2026-11-15T09:00:00Z')], now).map((i) => i.id)).toEqual(['alongside-checkin']);
    expect(dueInstruments(bundle, [answered('2026-11-07T09:00:00Z')], now).map((i) => i.id)).toEqual(['alongside-checkin', 'who5']);
  });

  it('asks about trust in a peer worker only of people who have one', () => {
    expect(itemsFor(checkin, false).map((i) => i.id)).toEqual(['hope']);
    expect(itemsFor(checkin, true).map((i) => i.id)).toEqual(['trust', 'hope']);
  });
});

describe('scores for the trend charts', () => {
  it('scores WHO-5 as the published percentage and needs every item', () => {
    const domain = who5.scoring.domains[0]!;
    expect(domainScore(who5, domain, { a: 5, b: 5, c: 5, d: 5, e: 5 })).toBe(100);
    expect(domainScore(who5, domain, { a: 3, b: 3, c: 3, d: 3, e: 3 })).toBe(60);
    expect(domainScore(who5, domain, { a: 3, b: 3, c: 3, d: 3 })).toBeNull();
    expect(domainRange(who5, domain)).toEqual([0, 100]);
  });

  it('ignores not-applicable answers', () => {
    const mean = { id: 'hope', label: 'Hope', method: 'mean' as const, min_answered: 1, prorate: true, direction: 'higher_is_better' as const };
    expect(domainScore(checkin, mean, { hope: 4, trust: 'na' })).toBe(4);
  });
});
