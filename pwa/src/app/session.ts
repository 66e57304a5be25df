// Signing in, joining and signing out through the accounts API. The session itself is the
// server's HttpOnly cookie; the phone keeps only the profile and the CSRF token (never the token).
import { request, requestJson, type ApiOptions } from '../shared/api';
import { wipeAlongsideDB, type AlongsideDB } from '../shared/db';
import { refreshInstruments } from '../shared/instruments';
import { getMeta, NO_BACKOFF, setMeta, type Profile } from '../shared/meta';

const DEVICE_NAME = 'Alongside web app';

export const pageFetch = (input: string, init?: RequestInit) => fetch(input, init);

/** API options for this page: its fetch and the stored CSRF token. */
export async function apiOptions(db: AlongsideDB): Promise<ApiOptions> {
  const csrf = (await getMeta(db, 'csrf_token')) ?? null;
  return { fetch: pageFetch, csrfToken: () => csrf };
}

interface SignedIn {
  csrf_token: string;
  user: Profile;
}

async function remember(db: AlongsideDB, signedIn: SignedIn): Promise<void> {
  await setMeta(db, 'profile', signedIn.user);
  await setMeta(db, 'csrf_token', signedIn.csrf_token);
  await setMeta(db, 'auth', 'signed_in');
  await setMeta(db, 'backoff', { ...NO_BACKOFF });
  try {
    await refreshInstruments(db, pageFetch);
  } catch {
    // Offline right after signing in is unlikely; the next open fetches them.
  }
}

/** Whether signing in as `username` would put someone else's data beside this phone's copy. */
async function belongsToSomeoneElse(db: AlongsideDB, userId: string): Promise<boolean> {
  const stored = await getMeta(db, 'profile');
  return Boolean(stored && stored.id !== userId);
}

/** Sign in; returns the database to use (a fresh one if another person's data was here). */
export async function signIn(
  db: AlongsideDB,
  username: string,
  password: string,
  reopen: () => Promise<AlongsideDB>,
): Promise<AlongsideDB> {
  const signedIn = await requestJson<SignedIn>(
    { fetch: pageFetch, csrfToken: () => null },
    'POST',
    '/api/v1/auth/login',
    { username, password, device_name: DEVICE_NAME },
  );
  let target = db;
  if (await belongsToSomeoneElse(db, signedIn.user.id)) {
    await wipeAlongsideDB(db);
    target = await reopen();
  }
  await remember(target, signedIn);
  return target;
}

/** Join with an invite code: creates the account and signs it in on a clean phone copy. */
export async function join(
  db: AlongsideDB,
  fields: { invite_code: string; username: string; password: string; display_name: string | null },
  reopen: () => Promise<AlongsideDB>,
): Promise<AlongsideDB> {
  const signedIn = await requestJson<SignedIn>(
    { fetch: pageFetch, csrfToken: () => null },
    'POST',
    '/api/v1/auth/register',
    { ...fields, device_name: DEVICE_NAME },
  );
  let target = db;
  if (await getMeta(db, 'profile')) {
    await wipeAlongsideDB(db);
    target = await reopen();
  }
  await remember(target, signedIn);
  return target;
}

/** End the server session if it can be reached; the caller wipes the phone's copy either way. */
export async function endServerSession(db: AlongsideDB): Promise<void> {
  try {
    await request(await apiOptions(db), 'POST', '/api/v1/auth/logout');
  } catch {
    // Offline or already signed out: the cookie expires on its own, and the data is wiped.
  }
}
