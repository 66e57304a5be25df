// The phone's copy, in IndexedDB through idb (DESIGN.md §9). Used by the page and the service
// worker alike, so only worker-safe APIs appear here.
import {
  deleteDB,
  openDB,
  type DBSchema,
  type IDBPDatabase,
  type IDBPTransaction,
  type StoreNames,
} from 'idb';
import type { CheckinData, FieldErrors, Op, ServerCheckin } from './protocol';

export const DB_NAME = 'alongside';
// Raise this with a new step in `upgrade` below; never rewrite an old step, because a phone
// may open the new app with any older version's data still waiting in its outbox.
export const DB_VERSION = 1;

/** A check-in as this phone shows it: the person's latest content plus the server's version. */
export interface LocalCheckin {
  id: string;
  /** What the person sees; null once they deleted it. */
  data: CheckinData | null;
  deleted: boolean;
  changed_at: string;
  /** The newest version the server is known to hold, or null if it has never acknowledged one. */
  server: ServerCheckin | null;
}

/** One change waiting to be pushed: an application record, not a stored HTTP request. */
export interface OutboxEntry {
  /** The check-in's id: at most one waiting change per check-in (PROTOCOL.md, clients 1). */
  id: string;
  change_id: string;
  op: Op;
  base_rev: number | null;
  changed_at: string;
  data: CheckinData | null;
  /** Times this exact entry was put in a push request (0: the server has never seen it). */
  attempts: number;
  /** Automatic re-pushes after conflicts, bounded by MAX_REPUSHES. */
  repushes: number;
  /** Queue position, so changes go out in the order they were made. */
  order: number;
}

export type RejectionReason = 'rejected' | 'changed_elsewhere' | 'too_large';

/** A change the server would not take, kept for the person to fix, resend or discard. */
export interface RejectedChange {
  id: string;
  change: OutboxEntry;
  reason: RejectionReason;
  errors: FieldErrors;
  /** The server's version, when the reason is a conflict the phone would not settle alone. */
  current: ServerCheckin | null;
  at: string;
}

export interface AlongsideSchema extends DBSchema {
  checkins: { key: string; value: LocalCheckin };
  outbox: { key: string; value: OutboxEntry; indexes: { by_order: number } };
  rejected: { key: string; value: RejectedChange };
  meta: { key: string; value: unknown };
}

export type AlongsideDB = IDBPDatabase<AlongsideSchema>;

/** A read-write transaction over any of the stores. */
export type WriteTx = IDBPTransaction<AlongsideSchema, StoreNames<AlongsideSchema>[], 'readwrite'>;

export const STORES = ['checkins', 'outbox', 'rejected', 'meta'] as const;

/** Open (creating or upgrading) the phone's database. */
export async function openAlongsideDB(name: string = DB_NAME): Promise<AlongsideDB> {
  const db = await openDB<AlongsideSchema>(name, DB_VERSION, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        database.createObjectStore('checkins', { keyPath: 'id' });
        const outbox = database.createObjectStore('outbox', { keyPath: 'id' });
        outbox.createIndex('by_order', 'order');
        database.createObjectStore('rejected', { keyPath: 'id' });
        database.createObjectStore('meta');
      }
    },
  });
  // A newer app version in another tab or the service worker wants to upgrade the schema:
  // let it, rather than block it (this page reloads on update anyway).
  db.addEventListener('versionchange', () => db.close());
  return db;
}

/** Erase everything this phone holds for the person (sign-out, account deletion). */
export async function wipeAlongsideDB(db: AlongsideDB | null, name: string = DB_NAME): Promise<void> {
  db?.close();
  await deleteDB(name, {
    blocked() {
      // Another tab still holds it open; its versionchange handler closes it, then this finishes.
    },
  });
}
