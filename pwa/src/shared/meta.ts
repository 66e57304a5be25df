// Small named values kept beside the check-ins: device id, sync cursor, profile, backoff.
import type { AlongsideDB } from './db';
import type { SupportInfo } from './help';
import type { InstrumentsBundle } from './instruments';
import { newId } from './ids';

/** What the phone remembers about the signed-in person (from GET /api/v1/me). */
export interface Profile {
  id: string;
  username: string;
  display_name: string | null;
  role: string;
  peer_worker: { id: string; username: string } | null;
  consents: {
    research: { granted: boolean; version: string; history: unknown[] };
  };
}

/** Whether the server still accepts this phone's session. */
export type AuthState = 'signed_in' | 'needs_sign_in';

export interface BackoffState {
  failures: number;
  /** Epoch ms before which timers do not retry (jittered backoff). */
  not_before: number;
  /** Epoch ms the server asked us to wait until (Retry-After); nothing retries before it. */
  retry_after_until: number;
  last_error: string | null;
}

export interface MetaValues {
  device_id: string;
  cursor: string | null;
  profile: Profile;
  csrf_token: string;
  auth: AuthState;
  backoff: BackoffState;
  last_synced_at: string;
  order_counter: number;
  instruments: InstrumentsBundle;
  instruments_etag: string;
  /** GET /api/v1/support: help contacts and very-low thresholds (DESIGN.md §11). */
  support: SupportInfo;
  /** Check-ins the "hard time" panel was already shown for, so it comes once per check-in. */
  help_offered: string[];
}

export const NO_BACKOFF: BackoffState = {
  failures: 0,
  not_before: 0,
  retry_after_until: 0,
  last_error: null,
};

export async function getMeta<K extends keyof MetaValues>(
  db: AlongsideDB,
  key: K,
): Promise<MetaValues[K] | undefined> {
  return (await db.get('meta', key)) as MetaValues[K] | undefined;
}

export async function setMeta<K extends keyof MetaValues>(
  db: AlongsideDB,
  key: K,
  value: MetaValues[K],
): Promise<void> {
  await db.put('meta', value, key);
}

/** This installation's device id, created once (a random UUID: not personal data). */
export async function deviceId(db: AlongsideDB): Promise<string> {
  const tx = db.transaction('meta', 'readwrite');
  let id = (await tx.store.get('device_id')) as string | undefined;
  if (!id) {
    id = newId();
    await tx.store.put(id, 'device_id');
  }
  await tx.done;
  return id;
}
