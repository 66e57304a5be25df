// Deciding when the drain runs: one at a time across tabs and the service worker (Web Locks),
// respecting backoff, and telling every open page when something changed.
import type { FetchLike } from './api';
import { afterFailure, afterSuccess, mayDrain, parseRetryAfter } from './backoff';
import type { AlongsideDB } from './db';
import { deviceId, getMeta, NO_BACKOFF, setMeta } from './meta';
import { drain, type DrainOutcome } from './sync';

export const SYNC_LOCK = 'alongside-sync';
export const CHANNEL = 'alongside';
export const BACKGROUND_SYNC_TAG = 'alongside-drain';

export type DrainReason =
  | 'save'
  | 'open'
  | 'online'
  | 'visible'
  | 'timer'
  | 'background-sync'
  | 'manual';

// Reasons that mean "now is a good moment": they skip the jittered wait (never Retry-After).
const URGENT: ReadonlySet<DrainReason> = new Set(['save', 'open', 'online', 'manual', 'background-sync']);

export type ChannelMessage = { type: 'changed' } | { type: 'draining'; active: boolean };

export interface DrainReport {
  ran: boolean;
  outcome: DrainOutcome | null;
}

export interface SchedulerOptions {
  db: AlongsideDB;
  fetch: FetchLike;
  onInstrumentsChanged?: (etag: string) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

/** Tell every page of this app (and the worker) that stored state changed. */
export function announce(message: ChannelMessage): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage(message);
  channel.close();
}

// Browsers without Web Locks (before 2022): fall back to one drain at a time in this context.
let localChain: Promise<unknown> = Promise.resolve();
function withLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks) return locks.request(SYNC_LOCK, work) as Promise<T>;
  const run = localChain.then(work, work);
  localChain = run.catch(() => undefined);
  return run;
}

/** Run the drain if backoff allows; serialised with every other tab and the worker. */
export async function runDrain(options: SchedulerOptions, reason: DrainReason): Promise<DrainReport> {
  const now = options.now ?? Date.now;
  const { db } = options;
  return withLock(async () => {
    // Read the backoff inside the lock: another tab may have just drained or failed.
    const backoff = (await getMeta(db, 'backoff')) ?? NO_BACKOFF;
    if (!mayDrain(backoff, now(), URGENT.has(reason))) return { ran: false, outcome: null };
    if ((await getMeta(db, 'auth')) === 'needs_sign_in' && reason !== 'manual') {
      return { ran: false, outcome: null };
    }
    announce({ type: 'draining', active: true });
    try {
      const outcome = await drain({
        db,
        fetch: options.fetch,
        deviceId: await deviceId(db),
        onInstrumentsChanged: options.onInstrumentsChanged,
      });
      if (outcome.kind === 'retry') {
        await setMeta(
          db,
          'backoff',
          afterFailure(backoff, {
            nowMs: now(),
            retryAfterMs: parseRetryAfter(outcome.retryAfter, now()),
            error: outcome.error,
            random: options.random,
          }),
        );
      } else {
        await setMeta(db, 'backoff', afterSuccess());
      }
      return { ran: true, outcome };
    } finally {
      announce({ type: 'draining', active: false });
      announce({ type: 'changed' });
    }
  });
}
