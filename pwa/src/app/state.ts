// The page's view of the phone's data: loaded from IndexedDB, refreshed whenever any tab or the
// service worker announces a change. Components read it through useApp().
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { AlongsideDB, LocalCheckin, RejectedChange } from '../shared/db';
import type { SupportInfo } from '../shared/help';
import type { InstrumentsBundle } from '../shared/instruments';
import { getMeta, type Profile } from '../shared/meta';
import { rejectedChanges, visibleCheckins, waitingChanges } from '../shared/outbox';

export interface Snapshot {
  profile: Profile | null;
  needsSignIn: boolean;
  instruments: InstrumentsBundle | null;
  /** The service's help contacts and thresholds as last fetched (null: use the built-in ones). */
  support: SupportInfo | null;
  checkins: LocalCheckin[];
  waiting: number;
  rejected: RejectedChange[];
  retrying: boolean;
}

export const EMPTY: Snapshot = {
  profile: null,
  needsSignIn: false,
  instruments: null,
  support: null,
  checkins: [],
  waiting: 0,
  rejected: [],
  retrying: false,
};

/** Read everything the screens show in one go. */
export async function readSnapshot(db: AlongsideDB): Promise<Snapshot> {
  const [profile, auth, instruments, support, checkins, waiting, rejected, backoff] = await Promise.all([
    getMeta(db, 'profile'),
    getMeta(db, 'auth'),
    getMeta(db, 'instruments'),
    getMeta(db, 'support'),
    visibleCheckins(db),
    waitingChanges(db),
    rejectedChanges(db),
    getMeta(db, 'backoff'),
  ]);
  return {
    profile: profile ?? null,
    needsSignIn: auth === 'needs_sign_in',
    instruments: instruments ?? null,
    support: support ?? null,
    checkins,
    waiting: waiting.length,
    rejected,
    retrying: (backoff?.failures ?? 0) > 0,
  };
}

export interface AppValue {
  db: AlongsideDB;
  data: Snapshot;
  online: boolean;
  sending: boolean;
  /** Re-read the phone's data (after this page changed it). */
  refresh: () => Promise<void>;
  navigate: (path: string) => void;
  /** Ask for a drain now (after a save, say). */
  sync: (reason: 'save' | 'manual') => void;
  /** Switch to another open database (after a sign-in replaced someone else's copy). */
  adopt: (db: AlongsideDB) => Promise<void>;
  /** Forget the phone's copy and the session (sign-out, account deleted). */
  wipe: () => Promise<void>;
}

export const AppContext = createContext<AppValue | null>(null);

/** The app's shared state, inside <App>. */
export function useApp(): AppValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside <App>');
  return value;
}
