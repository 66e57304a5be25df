// When to try again after a failed sync: exponential backoff with full jitter, base 1 s, cap
// 5 minutes, never sooner than the server's Retry-After (PROTOCOL.md, clients 5).
import { NO_BACKOFF, type BackoffState } from './meta';

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 5 * 60 * 1000;

/** A random delay in [0, min(cap, base * 2^(failures-1))) for the n-th failure in a row. */
export function backoffDelay(failures: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, failures - 1);
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(exponent, 30));
  return Math.floor(random() * ceiling);
}

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** The backoff state after one more failure. */
export function afterFailure(
  state: BackoffState,
  options: { nowMs: number; retryAfterMs: number | null; error: string; random?: () => number },
): BackoffState {
  const failures = state.failures + 1;
  const jittered = backoffDelay(failures, options.random);
  const retryAfterUntil =
    options.retryAfterMs === null ? state.retry_after_until : options.nowMs + options.retryAfterMs;
  return {
    failures,
    not_before: Math.max(options.nowMs + jittered, retryAfterUntil),
    retry_after_until: retryAfterUntil,
    last_error: options.error,
  };
}

/** The backoff state after a drain that reached the server. */
export function afterSuccess(): BackoffState {
  return { ...NO_BACKOFF };
}

/**
 * Whether a drain may start now. Timers wait for the jittered delay; an explicit reason to try
 * (the person saved, the network came back) skips it, but nothing skips the server's Retry-After.
 */
export function mayDrain(state: BackoffState, nowMs: number, urgent: boolean): boolean {
  if (nowMs < state.retry_after_until) return false;
  return urgent || nowMs >= state.not_before;
}
