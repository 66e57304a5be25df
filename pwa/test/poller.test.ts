// The caseload asks again every few seconds while the page is visible, never two at once, and
// keeps going after a failed request.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPolling } from '../src/app/poller';

function page() {
  let visible = true;
  let listener: (() => void) | null = null;
  return {
    isVisible: () => visible,
    watchVisibility: (next: () => void) => {
      listener = next;
      return () => {
        listener = null;
      };
    },
    show(value: boolean) {
      visible = value;
      listener?.();
    },
    get watching() {
      return listener !== null;
    },
  };
}

describe('polling', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('loads at once, then every interval after each answer', async () => {
    const seen: number[] = [];
    let calls = 0;
    const stop = startPolling({
      load: async () => ++calls,
      onValue: (value) => seen.push(value),
      onError: () => {},
      intervalMs: 5000,
      ...page(),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([1]);
    await vi.advanceTimersByTimeAsync(4999);
    expect(seen).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen).toEqual([1, 2, 3, 4]);
    stop();
  });

  it('stops while the page is hidden and loads again as soon as it is shown', async () => {
    const visibility = page();
    let calls = 0;
    const stop = startPolling({ load: async () => ++calls, onValue: () => {}, onError: () => {}, intervalMs: 5000, ...visibility });
    await vi.advanceTimersByTimeAsync(0);
    visibility.show(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(1);
    visibility.show(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
    stop();
  });

  it('never sends a second request while one is waiting for its answer', async () => {
    const visibility = page();
    let calls = 0;
    let answer: (value: number) => void = () => {};
    const stop = startPolling({
      load: () => {
        calls += 1;
        return new Promise<number>((resolve) => (answer = resolve));
      },
      onValue: () => {},
      onError: () => {},
      intervalMs: 5000,
      ...visibility,
    });
    await vi.advanceTimersByTimeAsync(30_000);
    visibility.show(true);
    expect(calls).toBe(1);
    answer(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(2);
    stop();
  });

  it('reports a failure and tries again, keeping the earlier answer for the screen to show', async () => {
    const errors: unknown[] = [];
    const values: string[] = [];
    const answers = ['first', new Error('offline'), 'third'];
    const stop = startPolling({
      load: async () => {
        const next = answers.shift()!;
        if (next instanceof Error) throw next;
        return next;
      },
      onValue: (value) => values.push(value),
      onError: (error) => errors.push(error),
      intervalMs: 5000,
      ...page(),
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(values).toEqual(['first', 'third']);
    expect(errors).toHaveLength(1);
    stop();
  });

  it('does nothing more once stopped', async () => {
    const visibility = page();
    let calls = 0;
    const stop = startPolling({ load: async () => ++calls, onValue: () => {}, onError: () => {}, intervalMs: 5000, ...visibility });
    await vi.advanceTimersByTimeAsync(0);
    stop();
    expect(visibility.watching).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(1);
  });
});
