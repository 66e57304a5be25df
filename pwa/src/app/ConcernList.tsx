// A person's open concerns (and good news) with the follow-up form, and a link to how Alongside
// decides. After a follow-up it says so, then shows the page as it is now.
import { useEffect, useRef, useState } from 'preact/hooks';
import { AppLink } from './AppLink';
import { EventList } from './EventList';
import { FollowUpForm } from './FollowUpForm';
import type { PeerEvent } from './staff';
import type { Reload } from './useRemote';
import { plural } from './words';

interface ConcernListProps {
  personId: string;
  concerns: PeerEvent[];
  fresh: ReadonlySet<string>;
  onFollowedUp: Reload;
}

export function ConcernList({ personId, concerns, fresh, onFollowedUp }: ConcernListProps) {
  const [done, setDone] = useState<string | null>(null);
  const doneLine = useRef<HTMLParagraphElement>(null);
  // The button that had focus disappears with the form: put focus on the confirmation instead.
  useEffect(() => {
    if (done) doneLine.current?.focus();
  }, [done]);

  const followedUp = async (acknowledged: number) => {
    const marked = `Done. ${plural(acknowledged, 'concern')} marked as followed up.`;
    try {
      await onFollowedUp();
      setDone(`${marked} You can find ${acknowledged === 1 ? 'it' : 'them'} under "Past concerns and follow-ups".`);
    } catch {
      setDone(`${marked} This page could not be updated: reload it to see the change.`);
    }
  };

  return (
    <section aria-labelledby="concerns-title">
      <h2 id="concerns-title">Open concerns</h2>
      <p class="hint">
        Concerns and good news stay here until someone marks them as followed up.{' '}
        <AppLink href="/how-it-works">How is this worked out?</AppLink>
      </p>
      {done && (
        <p class="notice" role="status" tabIndex={-1} ref={doneLine}>
          {done}
        </p>
      )}
      {concerns.length === 0 ? (
        <p>No open concerns. Nothing is waiting for a follow-up.</p>
      ) : (
        <>
          <EventList events={concerns} fresh={fresh} />
          <FollowUpForm personId={personId} count={concerns.length} onDone={followedUp} />
        </>
      )}
    </section>
  );
}
