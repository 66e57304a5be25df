// Registering the service worker and telling the person when a new version is ready. The new
// worker waits until they choose to reload (no forced skipWaiting, CONVENTIONS.md 17); their
// outbox lives in IndexedDB, which an update never touches.
import { Workbox } from 'workbox-window';

type Listener = (ready: boolean) => void;
const listeners = new Set<Listener>();
let workbox: Workbox | null = null;
let waiting = false;

/** Register /sw.js (scope /) where the browser supports service workers. */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  workbox = new Workbox('/sw.js', { scope: '/' });
  workbox.addEventListener('waiting', () => {
    waiting = true;
    listeners.forEach((listener) => listener(true));
  });
  void workbox.register().catch(() => {
    // Private browsing or a blocked worker: the app still works while online.
  });
}

/** Be told when a new version is waiting. */
export function onUpdateReady(listener: Listener): () => void {
  listeners.add(listener);
  listener(waiting);
  return () => listeners.delete(listener);
}

/** Activate the waiting version; the page reloads once it controls the page. */
export function applyUpdate(): void {
  // Listen on the container itself: controllerchange fires however the update was found
  // (Workbox's own 'controlling' event depends on which registration it thinks is its own).
  navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
  if (!workbox) return;
  void workbox.getSW().then(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    if (registration?.waiting) registration.waiting.postMessage({ type: 'SKIP_WAITING' });
    else window.location.reload(); // another tab already activated it
  });
}
