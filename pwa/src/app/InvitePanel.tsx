// A peer worker creates a one-time invite code for someone to join their caseload.
import { useState } from 'preact/hooks';
import { createInvite, when, type InviteCreated } from './staff';
import { useApp } from './state';

export function InvitePanel() {
  const { db } = useApp();
  const [invite, setInvite] = useState<InviteCreated | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const create = async () => {
    setBusy(true);
    setProblem(null);
    try {
      setInvite(await createInvite(db));
    } catch (error) {
      setProblem(error instanceof Error ? error.message : 'The invite could not be made. Try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="invite-title" class="card">
      <h2 id="invite-title" class="card-title">Invite someone</h2>
      <p class="hint">The code works once. Give it to the person yourself; it is shown only here, only now.</p>
      <button type="button" class="button" onClick={create} disabled={busy}>
        {busy ? 'Making a code…' : 'Create an invite code'}
      </button>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {invite && (
        <p role="status" data-testid="invite-code">
          Invite code: <strong class="code">{invite.code}</strong> (works until{' '}
          {when.format(Date.parse(invite.expires_at))})
        </p>
      )}
    </section>
  );
}
