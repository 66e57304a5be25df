// The sync protocol's messages, as sync/PROTOCOL.md defines them (version 1).

/** One answer: a number (scale, count or choice), yes/no, not applicable, or skipped. */
export type Answer = number | boolean | 'na' | null;

export interface InstrumentResponse {
  instrument: string;
  version: number;
  answers: Record<string, Answer>;
}

/** The content of a check-in, as pushed and pulled. */
export interface CheckinData {
  recorded_at: string;
  shared: boolean;
  note?: string | null;
  responses: InstrumentResponse[];
}

export type Op = 'put' | 'delete';

/** One change in a push request. */
export interface PushChange {
  change_id: string;
  id: string;
  op: Op;
  base_rev: number | null;
  changed_at: string;
  data?: CheckinData | null;
}

export interface PushRequest {
  device_id: string;
  changes: PushChange[];
}

/** A check-in version as the server holds it (pull, and `current` in a conflict). */
export interface ServerCheckin {
  id: string;
  rev: number;
  seq: number;
  deleted: boolean;
  recorded_at: string;
  changed_at: string;
  received_at: string;
  clock_skew: boolean;
  device_id: string;
  data: CheckinData | null;
  scores: Record<string, unknown> | null;
}

export type FieldErrors = Record<string, string[]>;

interface ResultBase {
  change_id: string;
  id: string;
}

export interface AppliedResult extends ResultBase {
  status: 'applied';
  rev: number;
  seq: number;
}

export interface ConflictResult extends ResultBase {
  status: 'conflict';
  current: ServerCheckin;
}

export interface RejectedResult extends ResultBase {
  status: 'rejected';
  errors: FieldErrors;
}

export interface DuplicateResult extends ResultBase {
  status: 'duplicate';
  outcome: 'applied' | 'conflict' | 'rejected';
  rev?: number;
  seq?: number;
  /** After a conflict: the check-in as it is now, null once deleted and its tombstone purged. */
  current?: ServerCheckin | null;
  errors?: FieldErrors;
}

export type PushResult = AppliedResult | ConflictResult | RejectedResult | DuplicateResult;

export interface PushResponse {
  results: PushResult[];
  server_time: string;
}

export interface PullResponse {
  changes: ServerCheckin[];
  cursor: string;
  more: boolean;
  live_count: number;
  reset: boolean;
  instruments_etag?: string;
}

/** The error body every failed API request carries. */
export interface ApiErrorBody {
  error: string;
  message: string;
  details?: FieldErrors;
}

// Limits from PROTOCOL.md: a push holds at most 500 changes and 1 MiB.
export const MAX_CHANGES_PER_PUSH = 500;
export const MAX_PUSH_BYTES = 1024 * 1024;
export const NOTE_MAX_CHARS = 2000;
// A client clock is trusted only up to this far past the server's (PROTOCOL.md, clocks).
export const CLOCK_TRUST_MS = 5 * 60 * 1000;
// After this many automatic re-pushes of one check-in the person decides (PROTOCOL.md 4).
export const MAX_REPUSHES = 5;
