// Shown once, right after saving a check-in with very low answers (DESIGN.md §11): kind words,
// where to get help, and whether the peer worker will see it. It never blocks: the check-in is
// already saved. Sharing from here is an ordinary edit, through the outbox like any other.
import type { Ref } from 'preact';
import { useState } from 'preact/hooks';
import { announce } from '../shared/drain-scheduler';
import { isEmergency, supportOrDefaults } from '../shared/help';
import { saveCheckin } from '../shared/outbox';
import type { CheckinData } from '../shared/protocol';
import { AppLink } from './AppLink';
import { EmergencyHelp } from './EmergencyHelp';
import { HelpContacts } from './HelpContacts';
import { useApp } from './state';

interface HardTimePanelProps {
  checkinId: string;
  /** The content just saved, used if the phone's copy cannot be found. */
  saved: CheckinData;
  headingRef: Ref<HTMLHeadingElement>;
  onClose: () => void;
}

export function HardTimePanel({ checkinId, saved, headingRef, onClose }: HardTimePanelProps) {
  const { db, data, refresh, sync } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const support = supportOrDefaults(data.support);
  const contacts = support.contacts.filter((contact) => !isEmergency(contact));
  const current = data.checkins.find((c) => c.id === checkinId)?.data ?? saved;
  const hasPeerWorker = Boolean(data.profile?.peer_worker);

  const share = async () => {
    setBusy(true);
    setError(null);
    try {
      await saveCheckin(db, { ...current, shared: true }, { id: checkinId });
      announce({ type: 'changed' });
      await refresh();
      sync('save');
    } catch {
      setError('It could not be shared just now. Please try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="hard-time" aria-labelledby="hard-time-title">
      <h2 id="hard-time-title" tabIndex={-1} ref={headingRef}>
        It sounds like things are hard right now
      </h2>
      <p>You do not have to cope with this on your own. You can talk to someone now.</p>
      <EmergencyHelp />
      <HelpContacts contacts={contacts} compact />
      {hasPeerWorker && (
        <div class="hard-time-peer">
          <p role="status">
            {current.shared
              ? 'Your peer worker will see this check-in. They may get in touch with you.'
              : 'This check-in is not shared, so your peer worker will not see it. You can share it if you would like them to know.'}
          </p>
          {!current.shared && (
            <button type="button" class="button" disabled={busy} onClick={share}>
              Share it with my peer worker
            </button>
          )}
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
      <div class="actions">
        <AppLink href="/help" class="button help-more">
          More ways to get help
        </AppLink>
        <button type="button" class="button" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}
