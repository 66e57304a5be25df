// Everyday words for the peer worker's screens (issue 13): counts, how long ago, which way.
// Peer workers are not statisticians, so nothing here names a method or a scale.
import type { Direction, Scale } from './staff';

/** "1 shared check-in", "2 shared check-ins": the count with the right form of the noun. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** How long ago, in days, as people say it: "today", "yesterday", "3 days ago", "2 weeks ago". */
export function agoWords(days: number): string {
  // A clock a little ahead of the server's must not give "-1 days ago".
  const whole = Math.max(0, Math.floor(days));
  if (whole === 0) return 'today';
  if (whole === 1) return 'yesterday';
  if (whole < 7) return `${whole} days ago`;
  if (whole < 56) return `${plural(Math.floor(whole / 7), 'week')} ago`;
  // From 8 weeks on, weeks are too fine to read at a glance.
  if (whole < 365) return `${plural(Math.round(whole / 30.44), 'month')} ago`;
  return 'over a year ago';
}

export const LAST_SHARED = 'Last shared';
export const NONE_SHARED = 'No shared check-ins yet';

/** The caseload's line about the last shared check-in. */
export function lastSharedWords(days: number | null): string {
  return days === null ? NONE_SHARED : `${LAST_SHARED} ${agoWords(days)}`;
}

export interface DirectionWords {
  /** A shape, so the direction never rests on colour alone; hidden from screen readers. */
  arrow: string;
  word: string;
  /** For styling only: the word says it all. */
  tone: 'better' | 'worse' | 'steady' | 'unknown';
}

/** Which way a measure is going, as an arrow and a word. */
export function directionWords(direction: Direction | null, better: Direction): DirectionWords {
  if (direction === null) return { arrow: '', word: 'too soon to tell', tone: 'unknown' };
  if (direction === 'steady') return { arrow: '→', word: 'steady', tone: 'steady' };
  const tone = direction === better ? 'better' : 'worse';
  return direction === 'up' ? { arrow: '↑', word: 'up', tone } : { arrow: '↓', word: 'down', tone };
}

/** A number for people to read: one decimal at most; a dash for nothing. */
export function shown(value: number | null): string {
  if (value === null) return '—';
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** "7.5 out of 10": a value with its scale, for screen readers and captions. */
export function outOf(value: number, scale: Scale): string {
  const where = scale.min === 0 ? `out of ${shown(scale.max)}` : `on a scale from ${shown(scale.min)} to ${shown(scale.max)}`;
  return `${shown(value)} ${where}`;
}

/** How often they usually share, from the typical gap between shared check-ins in days. */
export function usualGapWords(medianGapDays: number | null): string | null {
  if (medianGapDays === null || !Number.isFinite(medianGapDays) || medianGapDays <= 0) return null;
  const days = Math.round(medianGapDays);
  if (days <= 1) return 'They usually share a check-in about once a day.';
  if (days % 7 === 0) return `They usually share a check-in about every ${days === 7 ? 'week' : plural(days / 7, 'week')}.`;
  return `They usually share a check-in about every ${plural(days, 'day')}.`;
}
