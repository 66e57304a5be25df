// Concerns already followed up, newest first: what it was, when it was raised, who followed it
// up and when, and their note.
import { EventList } from './EventList';
import { when, type PeerEvent } from './staff';

const date = (iso: string) => when.format(Date.parse(iso));

export function ConcernHistory({ history }: { history: PeerEvent[] }) {
  return (
    <section aria-labelledby="past-concerns-title">
      <h2 id="past-concerns-title">Past concerns and follow-ups</h2>
      {history.length === 0 ? (
        <p>Nothing has been followed up yet.</p>
      ) : (
        <ul class="past-concerns">
          {history.map((event) => (
            <li key={event.id}>
              <EventList events={[event]} />
              <p class="hint">
                Raised on {date(event.raised_at)}.
                {event.acknowledged_at &&
                  ` Followed up on ${date(event.acknowledged_at)}${event.acknowledged_by ? ` by ${event.acknowledged_by}` : ''}.`}
              </p>
              {event.note && <p class="note">Note: {event.note}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
