// Instrument definitions (server/instruments/schema/instrument.schema.json) as the app renders
// them, kept on the phone so the check-in works offline, and which ones are due.
import { request, type FetchLike } from './api';
import type { AlongsideDB } from './db';
import { getMeta, setMeta } from './meta';
import type { CheckinData } from './protocol';

export interface LabelledValue {
  value: number;
  label: string;
}

export type ItemResponse =
  | { type: 'scale'; min: number; max: number; anchors: LabelledValue[] }
  | { type: 'count'; min: number; max: number; unit?: string }
  | { type: 'yes_no'; yes_label?: string; no_label?: string }
  | { type: 'choice'; options: LabelledValue[] };

export interface InstrumentItem {
  id: string;
  text: string;
  response: ItemResponse;
  domain: string;
  reverse_keyed?: boolean;
  optional?: boolean;
  allow_not_applicable?: boolean;
  not_applicable_label?: string;
  tags?: string[];
}

export interface ScoringRule {
  label: string;
  method: 'sum' | 'mean';
  min_answered: number;
  prorate: boolean;
  direction: 'higher_is_better' | 'lower_is_better';
  transform?:
    | { type: 'linear'; multiply: number; add: number }
    | { type: 'lookup'; table: Record<string, number> };
}

export interface ScoringDomain extends ScoringRule {
  id: string;
}

export interface Instrument {
  id: string;
  version: number;
  title: string;
  description?: string;
  recall_period: string | null;
  instructions?: string;
  items: InstrumentItem[];
  scoring: { domains: ScoringDomain[] };
}

/** GET /api/v1/instruments as stored on the phone. */
export interface InstrumentsBundle {
  instruments: Instrument[];
  /** Days between offers of each instrument. */
  schedule: Record<string, number>;
  etag: string;
}

/** The check-in that is always offered; the others come when due. */
export const CHECKIN_INSTRUMENT = 'alongside-checkin';
/** Items only for people with a linked peer worker (trust in them). */
export const REQUIRES_PEER_LINK = 'requires_peer_link';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Fetch the definitions unless the stored ones are current; returns what is stored. */
export async function refreshInstruments(
  db: AlongsideDB,
  fetchLike: FetchLike,
): Promise<InstrumentsBundle | undefined> {
  const stored = await getMeta(db, 'instruments');
  const headers: Record<string, string> = stored ? { 'If-None-Match': `"${stored.etag}"` } : {};
  const response = await request(
    { fetch: fetchLike, csrfToken: () => null },
    'GET',
    '/api/v1/instruments',
    undefined,
    headers,
  );
  if (response.status === 304 && stored) return stored;
  const bundle = (await response.json()) as InstrumentsBundle;
  await setMeta(db, 'instruments', bundle);
  await setMeta(db, 'instruments_etag', bundle.etag);
  return bundle;
}

/** The items this person is asked: trust items only with a linked peer worker. */
export function itemsFor(instrument: Instrument, hasPeerWorker: boolean): InstrumentItem[] {
  return instrument.items.filter(
    (item) => hasPeerWorker || !(item.tags ?? []).includes(REQUIRES_PEER_LINK),
  );
}

/**
 * Instruments to offer today: the check-in always, and each other one when the person has not
 * answered it within its cadence (its schedule in days).
 */
export function dueInstruments(
  bundle: InstrumentsBundle,
  checkins: CheckinData[],
  now: Date,
): Instrument[] {
  const lastAnswered = new Map<string, number>();
  for (const checkin of checkins) {
    const at = Date.parse(checkin.recorded_at);
    for (const response of checkin.responses) {
      if (at > (lastAnswered.get(response.instrument) ?? -Infinity)) {
        lastAnswered.set(response.instrument, at);
      }
    }
  }
  return bundle.instruments.filter((instrument) => {
    if (instrument.id === CHECKIN_INSTRUMENT) return true;
    const days = bundle.schedule[instrument.id];
    if (days === undefined) return false;
    const last = lastAnswered.get(instrument.id);
    // Offered again a little before the full period, so a weekly habit on slightly
    // different days still meets it (a day of grace).
    return last === undefined || now.getTime() - last >= (days - 1) * DAY_MS;
  });
}
