// Reading other people's data for peer workers and researchers. Always straight from the
// server, never kept on the device: it is not the signed-in person's own data.
import { request, requestJson } from '../shared/api';
import type { AlongsideDB } from '../shared/db';
import { apiOptions } from './session';

export interface CaseloadEvent {
  measure: string;
  label: string;
  kind: string;
  at: string;
}

export interface CaseloadEntry {
  id: string;
  display_name: string | null;
  username: string;
  last_shared_checkin_at: string | null;
  days_since_last_shared: number | null;
  flagged: boolean;
  needs_attention: boolean;
  events: CaseloadEvent[];
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
  reliable_change: string | null;
  provisional: boolean;
}

export interface PersonSummary {
  id: string;
  display_name: string | null;
  username: string;
  computed_at: string | null;
  checkins: { total: number; last_at: string | null; days_since_last: number | null; per_week: number | null } | null;
  sections: { mechanism: string; title: string; measures: MeasureSummary[] }[];
  new_since_last_visit: CaseloadEvent[];
}

export interface SharedCheckin {
  id: string;
  effective_at: string;
  note: string | null;
  scores: Record<string, { score: number | null; band: string | null }>;
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

export const caseload = (db: AlongsideDB) => get<{ people: CaseloadEntry[] }>(db, '/api/v1/peer/people');
export const personSummary = (db: AlongsideDB, id: string) => get<PersonSummary>(db, `/api/v1/peer/people/${id}/summary`);
export const sharedCheckins = (db: AlongsideDB, id: string) =>
  get<{ checkins: SharedCheckin[] }>(db, `/api/v1/peer/people/${id}/checkins?limit=50`);
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

/** A number for people to read: one decimal at most. */
export function shown(value: number | null): string {
  if (value === null) return '—';
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
