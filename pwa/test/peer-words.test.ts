// The peer worker's screens in words and shapes (issue 13): counts, how long ago, which way a
// measure is going, the sparkline's geometry and the other answers' lines.
import { describe, expect, it } from 'vitest';
import { measureLine, otherMeasures } from '../src/app/OtherMeasures';
import { sparkline } from '../src/app/sparkline';
import type { MeasureSummary, PeerEvent } from '../src/app/staff';
import { newsLine } from '../src/app/WhatChanged';
import { describeTrend } from '../src/app/TrendChart';
import { agoWords, directionWords, lastSharedWords, outOf, plural, shown, usualGapWords } from '../src/app/words';

describe('counts say one or many', () => {
  it.each([
    [0, '0 shared check-ins'],
    [1, '1 shared check-in'],
    [2, '2 shared check-ins'],
  ])('%i', (count, text) => {
    expect(plural(count, 'shared check-in')).toBe(text);
  });

  it('takes an irregular plural', () => {
    expect(plural(1, 'person', 'people')).toBe('1 person');
    expect(plural(3, 'person', 'people')).toBe('3 people');
  });
});

describe('how long ago the last shared check-in was', () => {
  it.each([
    [0, 'today'],
    [1, 'yesterday'],
    [2, '2 days ago'],
    [6, '6 days ago'],
    [7, '1 week ago'],
    [13, '1 week ago'],
    [14, '2 weeks ago'],
    [21, '3 weeks ago'],
    [55, '7 weeks ago'],
    [56, '2 months ago'],
    [200, '7 months ago'],
    [365, 'over a year ago'],
  ])('%i days: %s', (days, text) => {
    expect(agoWords(days)).toBe(text);
  });

  it('never says "1 day ago", "1 weeks" or a negative number', () => {
    const said = Array.from({ length: 400 }, (_, days) => agoWords(days));
    expect(said).not.toContain('1 day ago');
    expect(said.filter((text) => /^1 (weeks|months)/.test(text))).toEqual([]);
    expect(agoWords(-1)).toBe('today');
    expect(agoWords(2.9)).toBe('2 days ago');
  });

  it('makes the caseload line', () => {
    expect(lastSharedWords(0)).toBe('Last shared today');
    expect(lastSharedWords(3)).toBe('Last shared 3 days ago');
    expect(lastSharedWords(14)).toBe('Last shared 2 weeks ago');
    expect(lastSharedWords(null)).toBe('No shared check-ins yet');
  });
});

describe('which way a measure is going', () => {
  it('gives an arrow and a word, never colour alone', () => {
    expect(directionWords('up', 'up')).toEqual({ arrow: '↑', word: 'up', tone: 'better' });
    expect(directionWords('down', 'up')).toEqual({ arrow: '↓', word: 'down', tone: 'worse' });
    expect(directionWords('steady', 'up')).toEqual({ arrow: '→', word: 'steady', tone: 'steady' });
  });

  it('knows when lower is better', () => {
    expect(directionWords('down', 'down').tone).toBe('better');
    expect(directionWords('up', 'down').tone).toBe('worse');
  });

  it('says it is too soon with one answer', () => {
    expect(directionWords(null, 'up')).toEqual({ arrow: '', word: 'too soon to tell', tone: 'unknown' });
  });

  it('reads a value with its scale', () => {
    expect(outOf(7.5, { min: 0, max: 10 })).toBe('7.5 out of 10');
    expect(outOf(48, { min: 0, max: 100 })).toBe('48 out of 100');
    expect(outOf(3, { min: 1, max: 5 })).toBe('3 on a scale from 1 to 5');
    expect(shown(6.25)).toBe('6.3');
    expect(shown(null)).toBe('—');
  });
});

describe('how often they usually share', () => {
  it.each([
    [null, null],
    [0, null],
    [1, 'They usually share a check-in about once a day.'],
    [3.4, 'They usually share a check-in about every 3 days.'],
    [7, 'They usually share a check-in about every week.'],
    [14.2, 'They usually share a check-in about every 2 weeks.'],
    [10, 'They usually share a check-in about every 10 days.'],
  ])('%s days', (days, text) => {
    expect(usualGapWords(days)).toBe(text);
  });
});

describe('a sparkline', () => {
  const day = 86_400_000;
  const scale = { min: 0, max: 10 };

  it('spreads points by time across the box, high values at the top', () => {
    const { path, last } = sparkline(
      [
        { at: 0, value: 0 },
        { at: day, value: 10 },
        { at: 4 * day, value: 5 },
      ],
      scale,
      48,
      18,
      2,
    );
    // x: 2 + (t / 4 days) * 44; y: 2 + (1 - v / 10) * 14.
    expect(path).toBe('M2 16 L13 2 L46 9');
    expect(last).toEqual({ x: 46, y: 9 });
  });

  it('keeps values on the whole scale, clamping any outside it', () => {
    const { path } = sparkline(
      [
        { at: 0, value: -3 },
        { at: day, value: 12 },
      ],
      scale,
      48,
      18,
      2,
    );
    expect(path).toBe('M2 16 L46 2');
  });

  it('marks a single answer in the middle, with no line', () => {
    expect(sparkline([{ at: day, value: 10 }], { min: 0, max: 100 }, 48, 18, 2)).toEqual({ path: '', last: { x: 24, y: 14.6 } });
  });

  it('draws nothing without answers', () => {
    expect(sparkline([], scale, 48, 18)).toEqual({ path: '', last: null });
  });
});

describe("the person page's chart sentence", () => {
  const at = (day: number) => Date.parse(`2026-11-${String(day).padStart(2, '0')}T09:00:00Z`);

  it('compares the latest answer with where they started', () => {
    const text = describeTrend('Trust in you', [{ at: at(5), value: 6 }, { at: at(9), value: 3 }], [0, 10], false, {
      at: at(2),
      value: 8,
    });
    expect(text).toBe('Trust in you: latest 3 on a scale from 0 to 10, on 9 Nov; down from 8 when they started, on 2 Nov.');
  });

  it('says just the answer when the first is the only one', () => {
    const first = { at: at(2), value: 8 };
    expect(describeTrend('Hope', [first], [0, 10], false, first)).toBe('Hope: 8 on a scale from 0 to 10, on 2 Nov.');
  });
});

describe('the other answers', () => {
  const measure = (key: string, extra: Partial<MeasureSummary> = {}): MeasureSummary => ({
    measure: key,
    label: key,
    direction: 'higher_is_better',
    count: 3,
    latest: 6,
    latest_at: '2026-12-03T10:00:00Z',
    band: null,
    mean_4w: 6,
    trend_per_week: null,
    ...extra,
  });

  it('leaves out the four charted measures and unanswered ones', () => {
    const sections = [
      { mechanism: 'trusting_relationship', title: 'Trust', measures: [measure('alongside-checkin@1/trust')] },
      {
        mechanism: 'wellbeing',
        title: 'Wellbeing',
        measures: [measure('who5@1/wellbeing'), measure('ons4@1/life_satisfaction'), measure('ons4@1/anxiety', { latest: null })],
      },
    ];
    expect(otherMeasures(sections).map((m) => m.measure)).toEqual(['ons4@1/life_satisfaction']);
  });

  it('says each in a plain line', () => {
    const line = measureLine(measure('ons4@1/life_satisfaction', { label: 'Life satisfaction', band: 'medium', trend_per_week: 0.4 }));
    expect(line).toBe('Life satisfaction: 6 (medium), on 3 Dec 2026; going up lately.');
    const anxiety = measureLine(
      measure('ons4@1/anxiety', { label: 'Anxiety yesterday', direction: 'lower_is_better', latest: 3, trend_per_week: 0.01 }),
    );
    expect(anxiety).toBe('Anxiety yesterday: 3, on 3 Dec 2026; steady lately. Lower is better.');
  });
});

describe('what changed since the last look', () => {
  const event = (concern: boolean) => ({ concern }) as PeerEvent;
  const look = (events: PeerEvent[]) => ({ last_viewed_at: null, new_checkins: 0, events });

  it('counts worries and good news apart, singular and plural right', () => {
    expect(newsLine(look([]))).toBe('Nothing new to follow up.');
    expect(newsLine(look([event(true)]))).toBe('1 new concern, marked “New” below.');
    expect(newsLine(look([event(true), event(true), event(false)]))).toBe(
      '2 new concerns and 1 piece of good news, marked “New” below.',
    );
    expect(newsLine(look([event(false), event(false)]))).toBe('2 pieces of good news, marked “New” below.');
  });
});
