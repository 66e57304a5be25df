// One person on the caseload, compact enough that 25 fit on about one laptop screen: name,
// "needs a conversation soon", when they last shared, the four measures, then what is new.
import { AppLink } from './AppLink';
import { DomainCell } from './DomainCell';
import { EventList } from './EventList';
import type { CaseloadEntry } from './staff';
import { agoWords, LAST_SHARED, lastSharedWords } from './words';

// The most pressing lines only (urgent first, then worries), so the list stays scannable.
const ROW_EVENTS = 2;

export function CaseloadRow({ person }: { person: CaseloadEntry }) {
  const name = person.display_name ?? person.username;
  // An open "gone quiet" concern already says so (with its marker); the plain line would repeat it.
  const quietLine = person.quiet && !person.events.some((event) => event.kind === 'quiet') ? person.quiet.message : null;
  return (
    <li class={person.urgent ? 'person-row urgent' : 'person-row'}>
      <div class="person-name">
        <h2 class="person-title">
          <AppLink href={`/people/${person.id}`}>{name}</AppLink>
        </h2>
        {person.urgent && <strong class="urgent-marker">Needs a conversation soon</strong>}
      </div>
      <p class="person-last">
        {person.days_since_last_shared === null ? (
          lastSharedWords(null)
        ) : (
          <>
            {/* On wide screens the column heading says this part. */}
            <span class="last-prefix">{LAST_SHARED} </span>
            {agoWords(person.days_since_last_shared)}
          </>
        )}
      </p>
      <div class="person-domains">
        {person.domains.map((domain) => (
          <DomainCell key={domain.domain} domain={domain} />
        ))}
      </div>
      {(person.events.length > 0 || quietLine) && (
        <div class="person-news">
          {person.events.length > 0 && <EventList events={person.events.slice(0, ROW_EVENTS)} />}
          {person.events.length > ROW_EVENTS && (
            <p class="more-events">
              And {person.events.length - ROW_EVENTS} more on their page.
            </p>
          )}
          {quietLine && <p class="quiet">{quietLine}</p>}
        </div>
      )}
    </li>
  );
}
