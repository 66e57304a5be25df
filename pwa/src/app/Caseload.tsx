// A peer worker's caseload: everyone linked to them on one screen, in the server's order (most in
// need first), refreshed every few seconds while the page is in view (DESIGN.md §11).
import { AppLink } from './AppLink';
import { CaseloadRow } from './CaseloadRow';
import { InvitePanel } from './InvitePanel';
import { caseload } from './staff';
import { useApp } from './state';
import { usePoll } from './usePoll';
import { LAST_SHARED } from './words';

const POLL_MS = 5_000;

export function Caseload() {
  const { db } = useApp();
  const polled = usePoll(() => caseload(db), POLL_MS, []);
  const people = polled.value?.people ?? null;
  return (
    <section aria-labelledby="caseload-title" class="caseload">
      <h1 id="caseload-title">Your caseload</h1>
      <p class="hint">
        Only check-ins people chose to share are shown here.{' '}
        <AppLink href="/how-it-works">How is this worked out?</AppLink>
      </p>
      {people === null && !polled.error && <p role="status">Loading…</p>}
      {polled.error && (
        <p class="error" role="alert">
          {people === null ? polled.error : `The list could not be updated just now. ${polled.error}`}
        </p>
      )}
      {people !== null &&
        (people.length === 0 ? (
          <p>Nobody is linked to you yet. Create an invite for someone to join.</p>
        ) : (
          <>
            {/* Column headings for the eye; each row reads out its own labels. */}
            <div class="caseload-head" aria-hidden="true">
              <span class="head-name">Name</span>
              <span class="head-last">{LAST_SHARED}</span>
              {people[0]!.domains.map((domain) => (
                <span key={domain.domain} class="head-domain">
                  {domain.label}
                </span>
              ))}
            </div>
            <ul class="caseload-list" data-testid="caseload">
              {people.map((person) => (
                <CaseloadRow key={person.id} person={person} />
              ))}
            </ul>
          </>
        ))}
      <InvitePanel />
    </section>
  );
}
