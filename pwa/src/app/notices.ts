// A word for the next screen, once: a welcome after joining, or that an account was deleted.
// Kept in memory only, so it never outlives this page.

export type Notice = 'welcome' | 'deleted';

let pending: Notice | null = null;

export function leaveNotice(notice: Notice): void {
  pending = notice;
}

/** The notice left for this screen, if it is the one it shows; taken, so it shows once. */
export function takeNotice(kind: Notice): boolean {
  if (pending !== kind) return false;
  pending = null;
  return true;
}
