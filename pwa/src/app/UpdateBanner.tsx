import { useEffect, useState } from 'preact/hooks';
import { applyUpdate, onUpdateReady } from './update';

/** "A new version is ready", with a button; nothing happens until the person presses it. */
export function UpdateBanner() {
  const [ready, setReady] = useState(false);
  useEffect(() => onUpdateReady(setReady), []);
  if (!ready) return null;
  return (
    <div class="banner" role="status">
      <p>A new version of Alongside is ready. Your saved check-ins are kept.</p>
      <button type="button" class="button" onClick={applyUpdate}>
        Reload now
      </button>
    </div>
  );
}
