import { useState } from 'preact/hooks';
import { openAlongsideDB } from '../shared/db';
import { explain } from './errors';
import { takeNotice } from './notices';
import { Field } from './Field';
import { signIn } from './session';
import { useApp } from './state';

/** Sign in with a username and password. */
export function SignIn() {
  const { db, adopt, navigate, data, sync } = useApp();
  const [username, setUsername] = useState(data.profile?.username ?? '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [deleted] = useState(() => takeNotice('deleted'));

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const target = await signIn(db, username.trim(), password, () => openAlongsideDB());
      await adopt(target);
      navigate('/');
      sync('manual');
    } catch (failure) {
      setError(explain(failure).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      {deleted && (
        <p class="notice" role="status">
          Your account has been deleted. Everything Alongside held about you is gone, from this phone too. Thank
          you for using it. If you need someone to talk to, choose “Get help now” at the top.
        </p>
      )}
      {data.needsSignIn && (
        <p>Your session ended. Sign in again; check-ins saved on this phone are kept.</p>
      )}
      <form onSubmit={submit} noValidate>
        <Field id="username" label="Username" value={username} onInput={setUsername} autoComplete="username" required />
        <Field
          id="password"
          label="Password"
          type="password"
          value={password}
          onInput={setPassword}
          autoComplete="current-password"
          required
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        New here, with an invite code from your peer worker?{' '}
        <a
          href="/join"
          onClick={(event) => {
            event.preventDefault();
            navigate('/join');
          }}
        >
          Join with an invite
        </a>
      </p>
    </section>
  );
}
