// The pure parts of the screens: which questionnaires a check-in offers, what a chart says.
import { describe, expect, it } from 'vitest';
import { instrumentsToOffer } from '../src/app/CheckIn';
import { describeTrend } from '../src/app/TrendChart';
import type { Instrument, InstrumentsBundle } from '../src/shared/instruments';

const instrument = (id: string): Instrument => ({
  id,
  version: 1,
  title: id,
  recall_period: null,
  items: [{ id: `${id}_q`, text: 'q', domain: 'd', response: { type: 'scale', min: 0, max: 5, anchors: [] } }],
  scoring: { domains: [] },
});

const bundle: InstrumentsBundle = {
  instruments: ['alongside-checkin', 'ons-loneliness', 'ons4', 'who5'].map(instrument),
  schedule: { 'alongside-checkin': 7, 'ons-loneliness': 28, ons4: 28, who5: 14 },
  etag: 'e',
};

const answered = (ids: string[], at: string) => ({
  recorded_at: at,
  shared: false,
  responses: ids.map((id) => ({ instrument: id, version: 1, answers: { [`${id}_q`]: 1 } })),
});

describe('a check-in offers one longer questionnaire when due', () => {
  const now = new Date('2026-11-20T09:00:00Z');

  it('WHO-5 first, then ONS4, then the rest, one at a time', () => {
    expect(instrumentsToOffer(bundle, [], now).map((i) => i.id)).toEqual(['alongside-checkin', 'who5']);
    const afterWho5 = [answered(['who5'], '2026-11-19T09:00:00Z')];
    expect(instrumentsToOffer(bundle, afterWho5, now).map((i) => i.id)).toEqual(['alongside-checkin', 'ons4']);
    const afterBoth = [answered(['who5', 'ons4'], '2026-11-19T09:00:00Z')];
    expect(instrumentsToOffer(bundle, afterBoth, now).map((i) => i.id)).toEqual(['alongside-checkin', 'ons-loneliness']);
    const allDone = [answered(['who5', 'ons4', 'ons-loneliness'], '2026-11-19T09:00:00Z')];
    expect(instrumentsToOffer(bundle, allDone, now).map((i) => i.id)).toEqual(['alongside-checkin']);
  });
});

describe('a trend chart says what it shows in words', () => {
  const at = (day: number) => Date.parse(`2026-11-${String(day).padStart(2, '0')}T09:00:00Z`);

  it('names the latest value, the scale and the direction', () => {
    const text = describeTrend('Hope', [{ at: at(2), value: 4 }, { at: at(9), value: 6.5 }], [0, 10], false);
    expect(text).toBe('Hope: latest 6.5 on a scale from 0 to 10, on 9 Nov; up from 4 on 2 Nov.');
  });

  it('says when lower is better', () => {
    const text = describeTrend('Anxiety', [{ at: at(2), value: 6 }, { at: at(9), value: 3 }], [0, 10], true);
    expect(text).toContain('where lower is better');
    expect(text).toContain('down from 6');
  });

  it('handles no answers and one answer', () => {
    expect(describeTrend('Hope', [], [0, 10], false)).toBe('Hope: no answers yet.');
    expect(describeTrend('Hope', [{ at: at(2), value: 4 }], [0, 10], false)).toBe(
      'Hope: 4 on a scale from 0 to 10, on 2 Nov.',
    );
  });
});
