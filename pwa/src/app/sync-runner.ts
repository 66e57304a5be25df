// Every moment the page drains the outbox (DESIGN.md §9): on open, after a save, when the
// network comes back, when the page becomes visible, and on a timer while it stays open.
// Background Sync is registered as an extra where the browser has it, never relied upon.
import type { AlongsideDB } from '../shared/db';
import { BACKGROUND_SYNC_TAG, runDrain, type DrainReason } from '../shared/drain-scheduler';
import { refreshInstruments } from '../shared/instruments';
import { pageFetch } from './session';

export const TIMER_MS = 60_000;

/** Ask the service worker for a Background Sync, where the browser has one. */
async function requestBackgroundSync(): Promise<void> {
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    const sync = (registration as { sync?: { register(tag: string): Promise<void> } } | undefined)
      ?.sync;
    await sync?.register(BACKGROUND_SYNC_TAG);
  } catch {
    // Refused or unsupported: the page's own triggers still drain.
  }
}

/** Start the triggers; returns the function that drains now and a stop function. */
export function startSyncRunner(getDb: () => AlongsideDB | null): {
  drainNow: (reason: DrainReason) => void;
  stop: () => void;
} {
  const drainNow = (reason: DrainReason): void => {
    const db = getDb();
    if (!db) return;
    if (reason === 'save') void requestBackgroundSync();
    void runDrain(
      {
        db,
        fetch: pageFetch,
        onInstrumentsChanged: async () => {
          await refreshInstruments(db, pageFetch);
        },
      },
      reason,
    ).catch(() => {
      // A failure the drain could not classify (storage closed by a wipe, say): the next
      // trigger tries again.
    });
  };
  const online = () => drainNow('online');
  const visible = () => {
    if (document.visibilityState === 'visible') drainNow('visible');
  };
  window.addEventListener('online', online);
  document.addEventListener('visibilitychange', visible);
  const timer = window.setInterval(() => drainNow('timer'), TIMER_MS);
  drainNow('open');
  return {
    drainNow,
    stop: () => {
      window.removeEventListener('online', online);
      document.removeEventListener('visibilitychange', visible);
      window.clearInterval(timer);
    },
  };
}
