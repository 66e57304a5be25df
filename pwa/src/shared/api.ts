// Talking to the server with the session cookie: JSON in and out, the CSRF header on writes, and
// one error type that says whether trying again later can help.
import type { ApiErrorBody, FieldErrors } from './protocol';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type ApiFailure =
  /** No answer at all: offline, or the server unreachable. */
  | 'network'
  /** The session is gone (401): sign in again. */
  | 'auth'
  /** Worth retrying later: 429 or 5xx. */
  | 'unavailable'
  /** The server read the request and refused it (other 4xx). */
  | 'refused';

export class ApiError extends Error {
  constructor(
    readonly failure: ApiFailure,
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly details: FieldErrors | null = null,
    readonly retryAfter: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ApiOptions {
  fetch: FetchLike;
  /** The session's CSRF token, echoed on unsafe requests (README, signing in). */
  csrfToken: () => string | null | undefined;
}

function failureFor(status: number): ApiFailure {
  if (status === 401) return 'auth';
  if (status === 429 || status >= 500) return 'unavailable';
  return 'refused';
}

/** Send one request; resolve with the response (2xx or 304), or throw an ApiError. */
export async function request(
  options: ApiOptions,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const sent: Record<string, string> = { Accept: 'application/json', ...headers };
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  const csrf = options.csrfToken();
  if (UNSAFE.has(method) && csrf) sent['X-CSRF-Token'] = csrf;
  let response: Response;
  try {
    response = await options.fetch(path, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError('network', 0, 'No connection to the server.');
  }
  if (response.ok || response.status === 304) return response;
  let parsed: Partial<ApiErrorBody> = {};
  try {
    parsed = (await response.json()) as Partial<ApiErrorBody>;
  } catch {
    // A proxy's HTML error page, say: the status alone decides.
  }
  throw new ApiError(
    failureFor(response.status),
    response.status,
    parsed.message ?? `The server answered ${response.status}.`,
    parsed.error ?? null,
    parsed.details ?? null,
    response.headers.get('Retry-After'),
  );
}

/** Send one request and read its JSON answer. */
export async function requestJson<T>(
  options: ApiOptions,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await request(options, method, path, body);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
