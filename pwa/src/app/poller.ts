// Asking the server again every few seconds while the page is in front of the person, so new
// concerns reach the caseload without a manual refresh (DESIGN.md §11, "fresh in seconds").
// Free of the DOM so it can be tested with fake timers.

export interface PollerOptions<T> {
  load: () => Promise<T>;
  onValue: (value: T) => void;
  onError: (error: unknown) => void;
  intervalMs: number;
  /** Whether the page is visible now (document.visibilityState). */
  isVisible: () => boolean;
  /** Listen for the page being shown or hidden; returns a function that stops listening. */
  watchVisibility: (listener: () => void) => () => void;
}

/** Load now, then again `intervalMs` after each answer while visible; returns a stop function. */
export function startPolling<T>(options: PollerOptions<T>): () => void {
  let stopped = false;
  let inFlight = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const clear = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };

  const tick = async () => {
    timer = null;
    // A hidden page asks nothing (it would only use the battery); showing it again loads at once.
    if (stopped || inFlight || !options.isVisible()) return;
    inFlight = true;
    try {
      const value = await options.load();
      if (!stopped) options.onValue(value);
    } catch (error) {
      if (!stopped) options.onError(error);
    } finally {
      inFlight = false;
    }
    // The next request waits for this one's answer, so a slow server never gets a pile-up.
    if (!stopped && options.isVisible()) timer = setTimeout(tick, options.intervalMs);
  };

  const unwatch = options.watchVisibility(() => {
    clear();
    if (options.isVisible()) void tick();
  });
  void tick();
  return () => {
    stopped = true;
    clear();
    unwatch();
  };
}
