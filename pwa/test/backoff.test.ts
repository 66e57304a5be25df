import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  afterSuccess,
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  backoffDelay,
  mayDrain,
  parseRetryAfter,
} from '../src/shared/backoff';
import { NO_BACKOFF } from '../src/shared/meta';

describe('full jitter', () => {
  it('stays below base * 2^(n-1), capped at five minutes', () => {
    expect(backoffDelay(1, () => 0.999999)).toBeLessThan(BACKOFF_BASE_MS);
    expect(backoffDelay(4, () => 0.999999)).toBeLessThan(8 * BACKOFF_BASE_MS);
    expect(backoffDelay(4, () => 0.999999)).toBeGreaterThan(7 * BACKOFF_BASE_MS);
    expect(backoffDelay(40, () => 0.999999)).toBeLessThan(BACKOFF_CAP_MS);
    expect(backoffDelay(40, () => 0.999999)).toBeGreaterThan(BACKOFF_CAP_MS - 1000);
  });

  it('can be zero: full jitter, not equal jitter', () => {
    expect(backoffDelay(10, () => 0)).toBe(0);
  });

  it('spreads retries out rather than synchronising them', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(8)));
    expect(delays.size).toBeGreaterThan(40);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('30', 0)).toBe(30_000);
    const now = Date.parse('2026-11-20T09:00:00Z');
    expect(parseRetryAfter('Fri, 20 Nov 2026 09:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('holds back even urgent drains until it has passed', () => {
    const state = afterFailure(NO_BACKOFF, { nowMs: 1000, retryAfterMs: 60_000, error: '429', random: () => 0 });
    expect(mayDrain(state, 30_000, true)).toBe(false);
    expect(mayDrain(state, 61_001, false)).toBe(true);
  });
});

describe('timers wait, urgent reasons do not', () => {
  it('after a failure a timer waits for the jittered delay but a save goes at once', () => {
    const state = afterFailure(NO_BACKOFF, { nowMs: 0, retryAfterMs: null, error: 'offline', random: () => 0.5 });
    expect(state.failures).toBe(1);
    expect(mayDrain(state, 100, false)).toBe(false);
    expect(mayDrain(state, 100, true)).toBe(true);
    expect(afterSuccess()).toEqual(NO_BACKOFF);
  });
});
