// Research consent in plain words, download my data, sign out, delete my account. Signing out
// and deleting the account both wipe this phone's copy. Staff (peer workers, researchers, admins)
// keep no check-ins of their own, so they see only what applies to them.
import { useState } from 'preact/hooks';
import { request, requestJson } from '../shared/api';
import { setMeta } from '../shared/meta';
import { explain } from './errors';
import { leaveNotice } from './notices';
import { Field } from './Field';
import { apiOptions, endServerSession } from './session';
import { useApp } from './state';
import { plural } from './words';

const STAFF_ROLES: Record<string, string> = {
  peer_worker: 'a peer worker',
  researcher: 'a researcher',
  admin: 'an administrator',
};

interface ConsentState {
  granted: boolean;
  version: string;
  history: unknown[];
}

export function Settings() {
  const { db, data, refresh, wipe, navigate } = useApp();
  const profile = data.profile!;
  const [consentMessage, setConsentMessage] = useState<string | null>(null);
  const [downloadMessage, setDownloadMessage] = useState<string | null>(null);
  const [confirmSignOut, setConfirmSignOut] = useState(false);
  const [password, setPassword] = useState('');
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const setConsent = async (granted: boolean) => {
    setConsentMessage(null);
    try {
      const state = await requestJson<ConsentState>(await apiOptions(db), 'PUT', '/api/v1/me/consents/research', { granted });
      await setMeta(db, 'profile', { ...profile, consents: { ...profile.consents, research: state } });
      await refresh();
      setConsentMessage(granted ? 'Thank you. Your answers can now be counted in research.' : 'Done. Your answers are no longer used for research.');
    } catch (error) {
      setConsentMessage(explain(error).message);
    }
  };

  const download = async () => {
    setDownloadMessage(null);
    try {
      const response = await request(await apiOptions(db), 'GET', '/api/v1/me/export');
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `alongside-my-data-${new Date().toISOString().slice(0, 10)}.json`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setDownloadMessage('Your data has been downloaded.');
    } catch (error) {
      setDownloadMessage(explain(error).message);
    }
  };

  const signOut = async () => {
    setBusy(true);
    await endServerSession(db);
    await wipe();
    navigate('/signin');
  };

  const deleteAccount = async (event: Event) => {
    event.preventDefault();
    setDeleteError(null);
    setBusy(true);
    try {
      await request(await apiOptions(db), 'DELETE', '/api/v1/me', { password });
      await wipe();
      leaveNotice('deleted');
      navigate('/signin');
    } catch (error) {
      setDeleteError(explain(error).message);
      setBusy(false);
    }
  };

  const granted = profile.consents.research.granted;
  const staffRole = STAFF_ROLES[profile.role] ?? null;
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <p>
        Signed in as <strong>{profile.display_name ?? profile.username}</strong>
        {staffRole ? `, as ${staffRole}` : profile.peer_worker ? `, with peer worker ${profile.peer_worker.username}` : ''}.
      </p>

      {profile.role === 'service_user' && (
        <section aria-labelledby="research-title" class="card">
          <h2 id="research-title">Helping research</h2>
          <p>
            If you agree, your answers (never your note, never your name) are added to totals that researchers use to
            learn whether peer support helps. Nobody can pick you out from those totals. You can change your mind
            at any time; saying no changes nothing about your support.
          </p>
          <div class="field share">
            <input
              type="checkbox"
              id="research"
              checked={granted}
              aria-describedby="research-state"
              onChange={(event) => setConsent(event.currentTarget.checked)}
            />
            <label for="research">Count my answers in research</label>
            <p class="hint" id="research-state">
              {granted ? 'You have agreed.' : 'You have not agreed.'}
            </p>
          </div>
          {consentMessage && <p role="status">{consentMessage}</p>}
        </section>
      )}

      {profile.role === 'service_user' && (
        <section aria-labelledby="download-title" class="card">
          <h2 id="download-title">Your data</h2>
          <p>Download everything Alongside holds about you, as a file.</p>
          <button type="button" class="button" onClick={download}>
            Download my data
          </button>
          {downloadMessage && <p role="status">{downloadMessage}</p>}
        </section>
      )}

      <section aria-labelledby="signout-title" class="card">
        <h2 id="signout-title">Sign out</h2>
        {staffRole ? (
          <p>
            Signing out ends your session on this device.
            {profile.role === 'peer_worker' ? ' Nothing about the people you support is kept on it.' : ''}
          </p>
        ) : (
          <p>Signing out removes your check-ins from this phone. They stay safe on Alongside.</p>
        )}
        {confirmSignOut ? (
          <>
            {data.waiting > 0 && (
              <p class="error" role="alert">
                {plural(data.waiting, 'check-in')} {data.waiting === 1 ? 'has' : 'have'} not been sent yet and will be lost.
              </p>
            )}
            <div class="actions">
              <button type="button" class="button danger" disabled={busy} onClick={signOut}>
                Yes, sign out
              </button>
              <button type="button" class="button" onClick={() => setConfirmSignOut(false)}>
                Stay signed in
              </button>
            </div>
          </>
        ) : (
          <button type="button" class="button" onClick={() => setConfirmSignOut(true)}>
            Sign out
          </button>
        )}
      </section>

      {profile.role === 'service_user' && (
        <section aria-labelledby="delete-title" class="card">
          <h2 id="delete-title">Delete my account</h2>
          <p>This deletes your account and every check-in, on Alongside and on this phone. It cannot be undone.</p>
          <form onSubmit={deleteAccount} noValidate>
            <Field
              id="delete_password"
              label="Your password, to confirm"
              type="password"
              value={password}
              onInput={setPassword}
              autoComplete="current-password"
              error={deleteError}
            />
            <button type="submit" class="button danger" disabled={busy || !password}>
              Delete my account
            </button>
          </form>
        </section>
      )}
    </section>
  );
}
