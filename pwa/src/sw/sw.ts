// The service worker: precaches the app shell so the app opens with no network, answers every
// app route with the shell, and drains the outbox on Background Sync where the browser has it.
// It never calls skipWaiting on its own: the page asks the person first (CONVENTIONS.md 17).
/// <reference lib="webworker" />
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { openAlongsideDB } from '../shared/db';
import { BACKGROUND_SYNC_TAG, runDrain } from '../shared/drain-scheduler';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<{ url: string; revision: string | null }>;
};

/** Background Sync's event, which TypeScript's worker library does not describe. */
interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
}

precacheAndRoute(self.__WB_MANIFEST);
// Caches of earlier releases go once this one activates.
cleanupOutdatedCaches();

// Client routes (/history, /settings, ...) get the shell; the API and health checks never do.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/api\//, /^\/healthz/, /^\/readyz/],
  }),
);

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  // The person said "reload now" to the "new version is ready" notice.
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

// An extra trigger only: the page drains on its own (open, save, online, visible, timer), and
// Safari and Firefox never fire this event.
self.addEventListener('sync', (event: Event) => {
  const sync = event as SyncEvent;
  if (sync.tag !== BACKGROUND_SYNC_TAG) return;
  sync.waitUntil(
    (async () => {
      const db = await openAlongsideDB();
      try {
        await runDrain({ db, fetch: (input, init) => fetch(input, init) }, 'background-sync');
      } finally {
        db.close();
      }
    })(),
  );
});
