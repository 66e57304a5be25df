// Reading other people's data for peer workers and researchers. Always straight from the
// server, never kept on the device: it is not the signed-in person's own data.
import { request, requestJson } from '../shared/api';
import type { AlongsideDB } from '../shared/db';
import { getMeta } from '../shared/meta';
import { apiOptions } from './session';

export { shown } from './words';

/** One open concern or piece of good news (at most one per measure in any list). */
export interface PeerEvent {
  id: string;
  measure: string;
  label: string;
  /** urgent, worse_since_start, sharp_drop, worse_range, better_since_start, better_range or quiet (more may come). */
  kind: string;
  /** false = good news: never shown with the alarm marker. */
  concern: boolean;
  /** Only kind "urgent": needs a conversation soon. */
  urgent: boolean;
  message: string;
  at: string;
  raised_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  note: string | null;
}

export type DomainKey = 'trust' | 'hope' | 'connection' | 'wellbeing';
export type Direction = 'up' | 'down' | 'steady';

export interface Scale {
  min: number;
  max: number;
}

export interface DomainPoint {
  at: string;
  value: number;
}

/** One of the four change-model measures; always all four, in order (trust, hope, connection, wellbeing). */
export interface Domain {
  domain: DomainKey;
  label: string;
  latest: number | null;
  latest_at: string | null;
  /** null: fewer than 2 shared answers. */
  direction: Direction | null;
  better: Direction;
  scale: Scale;
  /** Oldest first: the caseload has the last 8 points, the person page the last 52. */
  series: DomainPoint[];
}

/** A domain on the person page, with where they started and the scale's ranges. */
export interface PersonDomain extends Domain {
  baseline: number | null;
  baseline_at: string | null;
  bands: { upper: number; label: string }[];
  change_threshold: number | null;
}

export interface Quiet {
  days: number;
  message: string;
}

export interface CaseloadEntry {
  id: string;
  display_name: string | null;
  username: string;
  last_shared_checkin_at: string | null;
  days_since_last_shared: number | null;
  quiet: Quiet | null;
  /** An open urgent concern. */
  urgent: boolean;
  /** Any open concern that is a worry (urgent included). */
  needs_attention: boolean;
  /** Any open event at all, good news too. */
  flagged: boolean;
  /** Open, not yet followed up: urgent first, then worries, then good news. */
  events: PeerEvent[];
  domains: Domain[];
  last_viewed_at: string | null;
  last_followed_up_at: string | null;
}

export interface MeasureSummary {
  measure: string;
  label: string;
  direction: string;
  count: number;
  latest: number | null;
  latest_at: string | null;
  band: string | null;
  mean_4w: number | null;
  trend_per_week: number | null;
}

export interface CheckinRhythm {
  total: number;
  first_at: string | null;
  last_at: string | null;
  days_since_last: number | null;
  last_8_weeks: number;
  per_week: number | null;
  median_gap_days: number | null;
}

export interface SinceLastLook {
  last_viewed_at: string | null;
  new_checkins: number;
  events: PeerEvent[];
}

export interface PersonSummary {
  id: string;
  display_name: string | null;
  username: string;
  computed_at: string | null;
  checkins: CheckinRhythm | null;
  sections: { mechanism: string; title: string; measures: MeasureSummary[] }[];
  domains: PersonDomain[];
  /** Open now (the same as the caseload's events). */
  concerns: PeerEvent[];
  /** Followed up, newest first. */
  history: PeerEvent[];
  since_last_look: SinceLastLook;
  quiet: Quiet | null;
}

export interface AnsweredItem {
  item: string;
  text: string;
  /** The raw answer (a number for scales; the words below are what to show). */
  value: number | string | null;
  /** The answer in words ("7 out of 10", "Not in touch since last time"). */
  answer: string;
}

export interface SharedCheckin {
  id: string;
  effective_at: string;
  note: string | null;
  scores: Record<string, { score: number | null; band: string | null }>;
  /** Grouped by questionnaire; skipped items are left out. */
  answers: { instrument: string; title: string; items: AnsweredItem[] }[];
}

export interface FollowedUp {
  acknowledged: number;
  history: PeerEvent[];
}

export interface AggregateRow {
  service: string;
  period: string;
  measure: string;
  n: number | null;
  mean: number | null;
  sd: number | null;
  median: number | null;
  suppressed: boolean;
}

const get = async <T>(db: AlongsideDB, path: string): Promise<T> => requestJson<T>(await apiOptions(db), 'GET', path);

interface Caseload {
  people: CaseloadEntry[];
}

// The last caseload this signed-in session received, in memory only, so a poll can ask
// "anything new?" (If-None-Match) and get an empty 304 back when nothing changed.
let lastCaseload: { session: string | null; tag: string; value: Caseload } | null = null;

export async function caseload(db: AlongsideDB): Promise<Caseload> {
  const session = (await getMeta(db, 'csrf_token')) ?? null;
  const known = lastCaseload && lastCaseload.session === session ? lastCaseload : null;
  const headers: Record<string, string> = known ? { 'If-None-Match': known.tag } : {};
  const response = await request(await apiOptions(db), 'GET', '/api/v1/peer/people', undefined, headers);
  if (response.status === 304 && known) return known.value;
  const value = (await response.json()) as Caseload;
  const tag = response.headers.get('ETag');
  lastCaseload = tag ? { session, tag, value } : null;
  return value;
}
export const personSummary = (db: AlongsideDB, id: string) => get<PersonSummary>(db, `/api/v1/peer/people/${id}/summary`);
export const sharedCheckins = (db: AlongsideDB, id: string) =>
  get<{ checkins: SharedCheckin[] }>(db, `/api/v1/peer/people/${id}/checkins?limit=50`);
/** Mark every open concern of this person as followed up; a blank note is left out. */
export const acknowledge = async (db: AlongsideDB, id: string, note: string) =>
  requestJson<FollowedUp>(
    await apiOptions(db),
    'POST',
    `/api/v1/peer/people/${id}/acknowledge`,
    note.trim() ? { note: note.trim() } : {},
  );
export interface InviteCreated {
  id: string;
  code: string;
  expires_at: string;
}

export const createInvite = async (db: AlongsideDB) =>
  requestJson<InviteCreated>(await apiOptions(db), 'POST', '/api/v1/invites', {});
export const aggregates = (db: AlongsideDB, period: string) =>
  get<{ aggregates: AggregateRow[]; manifest: Record<string, unknown> }>(db, `/api/v1/research/aggregates?period=${period}&format=json`);

/** Save a server response as a file on the device (the person asked for it). */
export async function downloadFrom(db: AlongsideDB, path: string, filename: string): Promise<void> {
  const response = await request(await apiOptions(db), 'GET', path);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });
