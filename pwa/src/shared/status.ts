// The one line that always says what is waiting (DESIGN.md §9), in plain words.

export interface SyncStatusInput {
  waiting: number;
  needsAttention: number;
  online: boolean;
  needsSignIn: boolean;
  sending: boolean;
  /** The last drain failed and will be retried (server busy or unreachable). */
  retrying: boolean;
}

export interface SyncStatus {
  text: string;
  /** For styling only; the text alone says everything. */
  tone: 'calm' | 'busy' | 'waiting' | 'attention';
}

function checkins(n: number): string {
  return n === 1 ? '1 check-in' : `${n} check-ins`;
}

/** What the status line says. */
export function describeStatus(input: SyncStatusInput): SyncStatus {
  const { waiting, needsAttention } = input;
  const attention =
    needsAttention > 0
      ? ` ${checkins(needsAttention)} ${needsAttention === 1 ? 'needs' : 'need'} a look.`
      : '';
  if (input.needsSignIn) {
    const what = waiting
      ? `${checkins(waiting)} ${waiting === 1 ? 'is' : 'are'} safe on this phone and will send after you sign in again.`
      : 'Sign in again to keep your check-ins in step.';
    return { text: `Signed out. ${what}${attention}`, tone: 'attention' };
  }
  if (!input.online) {
    const what = waiting
      ? `${checkins(waiting)} waiting to send when you're back online.`
      : 'Your check-ins are saved on this phone.';
    return { text: `Offline. ${what}${attention}`, tone: 'waiting' };
  }
  if (waiting && input.sending) {
    return { text: `Sending ${checkins(waiting)}…${attention}`, tone: 'busy' };
  }
  if (waiting) {
    const why = input.retrying ? " The server isn't answering yet; trying again soon." : '';
    return { text: `${checkins(waiting)} waiting to send.${why}${attention}`, tone: 'waiting' };
  }
  if (needsAttention) {
    return { text: `All else saved.${attention}`, tone: 'attention' };
  }
  return { text: 'All saved', tone: 'calm' };
}
