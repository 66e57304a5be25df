// A screen's view of something it polls: the last good answer stays on screen while the next is
// fetched, so a poll never flashes "Loading…"; a failed poll only adds an error line.
import { useEffect, useState } from 'preact/hooks';
import { explain } from './errors';
import { startPolling } from './poller';

export interface Polled<T> {
  /** The last answer, or null before the first one. */
  value: T | null;
  /** Why the last poll failed, or null when it worked. */
  error: string | null;
}

export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: unknown[]): Polled<T> {
  const [polled, setPolled] = useState<Polled<T>>({ value: null, error: null });
  useEffect(
    () =>
      startPolling({
        load,
        intervalMs,
        onValue: (value) => setPolled({ value, error: null }),
        onError: (error) => setPolled((before) => ({ value: before.value, error: explain(error).message })),
        isVisible: () => document.visibilityState === 'visible',
        watchVisibility: (listener) => {
          document.addEventListener('visibilitychange', listener);
          return () => document.removeEventListener('visibilitychange', listener);
        },
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [intervalMs, ...deps],
  );
  return polled;
}
