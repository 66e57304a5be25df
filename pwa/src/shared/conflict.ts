// Settling a conflict the server reported, by the rule both clients share (PROTOCOL.md, clients 4).
import type { OutboxEntry } from './db';
import { CLOCK_TRUST_MS, MAX_REPUSHES, type ServerCheckin } from './protocol';

export type Resolution =
  /** The server's version stands: take it, drop the local change. */
  | { action: 'adopt' }
  /** The local change stands: push it again on top of the server's version. */
  | { action: 'repush'; base_rev: number }
  /** Too many rounds: the person decides (the entry goes to the rejected list). */
  | { action: 'ask' };

/** A client time as the server orders it: never more than 5 minutes past its own clock. */
export function effectiveTime(clientTime: string, receivedAt: string): number {
  return Math.min(Date.parse(clientTime), Date.parse(receivedAt) + CLOCK_TRUST_MS);
}

/**
 * Decide a conflict between the waiting local change and the server's `current` version.
 * `serverTime` stands in for the local change's `received_at`, since it has none yet.
 */
export function resolveConflict(
  local: Pick<OutboxEntry, 'op' | 'changed_at' | 'repushes'>,
  current: ServerCheckin,
  options: { deviceId: string; serverTime: string },
): Resolution {
  // A delete beats an edit, whichever side it is on.
  if (current.deleted) return { action: 'adopt' };
  let localWins: boolean;
  if (local.op === 'delete') {
    localWins = true;
  } else {
    const mine = effectiveTime(local.changed_at, options.serverTime);
    const theirs = effectiveTime(current.changed_at, current.received_at);
    localWins = mine === theirs ? options.deviceId > current.device_id : mine > theirs;
  }
  if (!localWins) return { action: 'adopt' };
  if (local.repushes >= MAX_REPUSHES) return { action: 'ask' };
  return { action: 'repush', base_rev: current.rev };
}
