// Concerns and good news as their messages, one line each. A worry carries the alarm marker;
// good news has its own calm marker and never the alarm one. The marker's meaning is also in
// words for screen readers, so neither shape nor colour carries it alone.
import type { PeerEvent } from './staff';

interface EventListProps {
  events: PeerEvent[];
  /** Events raised since the peer worker's last look, tagged "New". */
  fresh?: ReadonlySet<string>;
}

export function EventList({ events, fresh }: EventListProps) {
  return (
    <ul class="events">
      {events.map((event) => (
        <li key={event.id} class={event.concern ? 'event event-concern' : 'event event-good'}>
          <span class="event-marker" aria-hidden="true">
            {event.concern ? '!' : '✓'}
          </span>
          <span class="visually-hidden">{event.concern ? 'Concern: ' : 'Good news: '}</span>
          <span>
            {fresh?.has(event.id) && <span class="new-tag">New</span>}
            {event.message}
          </span>
        </li>
      ))}
    </ul>
  );
}
