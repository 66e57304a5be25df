// A peer worker's caseload: the people linked to them, most in need first.
import { InvitePanel } from './InvitePanel';
import { caseload, when } from './staff';
import { useApp } from './state';
import { useRemote } from './useRemote';

export function Caseload() {
  const { db, navigate } = useApp();
  const remote = useRemote(() => caseload(db), []);
  return (
    <section aria-labelledby="caseload-title">
      <h1 id="caseload-title">Your caseload</h1>
      <p class="hint">Only check-ins people chose to share are shown here.</p>
      {remote.state === 'loading' && <p role="status">Loading…</p>}
      {remote.state === 'error' && <p class="error" role="alert">{remote.message}</p>}
      {remote.state === 'ready' &&
        (remote.value.people.length === 0 ? (
          <p>Nobody is linked to you yet. Create an invite for someone to join.</p>
        ) : (
          <ul class="cards" data-testid="caseload">
            {remote.value.people.map((person) => {
              const name = person.display_name ?? person.username;
              return (
                <li key={person.id} class="card">
                  <h2 class="card-title">
                    <a
                      href={`/people/${person.id}`}
                      onClick={(event) => {
                        event.preventDefault();
                        navigate(`/people/${person.id}`);
                      }}
                    >
                      {name}
                    </a>
                  </h2>
                  <p>
                    {person.last_shared_checkin_at
                      ? `Last shared check-in ${when.format(Date.parse(person.last_shared_checkin_at))}` +
                        (person.days_since_last_shared !== null ? ` (${person.days_since_last_shared} days ago)` : '')
                      : 'No shared check-ins yet'}
                  </p>
                  {person.needs_attention && <p class="flag">Needs attention: something got worse.</p>}
                  {!person.needs_attention && person.flagged && <p class="flag">New since your last look.</p>}
                  {person.events.length > 0 && (
                    <ul>
                      {person.events.map((event) => (
                        <li key={event.measure + event.kind}>
                          {event.label}: {event.kind.replace(/_/g, ' ')}
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              );
            })}
          </ul>
        ))}
      <InvitePanel />
    </section>
  );
}
