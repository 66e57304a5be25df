import { useState } from 'preact/hooks';
import { openAlongsideDB } from '../shared/db';
import { explain } from './errors';
import { leaveNotice } from './notices';
import { Field } from './Field';
import { join } from './session';
import { useApp } from './state';

/** Create an account with the invite code a peer worker gave. */
export function Join() {
  const { db, adopt, navigate, sync } = useApp();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    try {
      const target = await join(
        db,
        {
          invite_code: code.trim(),
          username: username.trim(),
          password,
          display_name: name.trim() || null,
        },
        () => openAlongsideDB(),
      );
      await adopt(target);
      leaveNotice('welcome');
      navigate('/');
      sync('manual');
    } catch (failure) {
      const explained = explain(failure);
      setError(explained.message);
      setFields(explained.fields);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="join-title">
      <h1 id="join-title">Join with an invite</h1>
      <p>Your peer worker gives you an invite code. It works once.</p>
      <form onSubmit={submit} noValidate>
        <Field id="invite_code" label="Invite code" value={code} onInput={setCode} autoComplete="one-time-code" required error={fields.invite_code} />
        <Field
          id="display_name"
          label="What should your peer worker call you? (optional)"
          value={name}
          onInput={setName}
          autoComplete="nickname"
          error={fields.display_name}
        />
        <Field id="new_username" label="Choose a username" value={username} onInput={setUsername} autoComplete="username" required error={fields.username} />
        <Field
          id="new_password"
          label="Choose a password"
          type="password"
          value={password}
          onInput={setPassword}
          autoComplete="new-password"
          hint="At least 10 characters. A few words you will remember works well."
          required
          error={fields.password}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Joining…' : 'Join'}
        </button>
      </form>
      <p>
        Already joined?{' '}
        <a
          href="/signin"
          onClick={(event) => {
            event.preventDefault();
            navigate('/signin');
          }}
        >
          Sign in
        </a>
      </p>
    </section>
  );
}
