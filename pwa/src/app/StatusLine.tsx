import { describeStatus } from '../shared/status';
import { useApp } from './state';

/** The line that always says what is waiting to send. */
export function StatusLine() {
  const { data, online, sending, sync, navigate } = useApp();
  const status = describeStatus({
    waiting: data.waiting,
    needsAttention: data.rejected.length,
    online,
    needsSignIn: data.needsSignIn,
    sending,
    retrying: data.retrying,
  });
  return (
    <div class={`status status-${status.tone}`}>
      <p role="status" aria-live="polite" id="sync-status">
        {status.text}
      </p>
      {data.needsSignIn ? (
        <button type="button" class="button small" onClick={() => navigate('/signin')}>
          Sign in again
        </button>
      ) : data.waiting > 0 && online && !sending ? (
        <button type="button" class="button small" onClick={() => sync('manual')}>
          Send now
        </button>
      ) : null}
    </div>
  );
}
