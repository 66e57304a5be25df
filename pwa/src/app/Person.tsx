// One linked person as their peer worker sees them (issue 13): what changed since the last look,
// the open concerns with the follow-up form, a chart per domain along the change model, the other
// answers, past follow-ups, and the shared check-ins themselves. Shared check-ins only.
import { useRef } from 'preact/hooks';
import { AppLink } from './AppLink';
import { CheckinAnswers } from './CheckinAnswers';
import { ConcernHistory } from './ConcernHistory';
import { ConcernList } from './ConcernList';
import { DomainTrends } from './DomainTrends';
import { OtherMeasures } from './OtherMeasures';
import { personSummary, sharedCheckins, when, type PersonSummary, type SinceLastLook } from './staff';
import { useApp } from './state';
import { useRemote } from './useRemote';
import { WhatChanged } from './WhatChanged';
import { plural, usualGapWords } from './words';

/** "4 shared check-ins, the last on 3 Dec 2026." */
function rhythmLine(summary: PersonSummary): string {
  const rhythm = summary.checkins;
  if (!rhythm || rhythm.total === 0) return 'No shared check-ins yet.';
  const last = rhythm.last_at ? `, the last on ${when.format(Date.parse(rhythm.last_at))}` : '';
  return `${plural(rhythm.total, 'shared check-in')}${last}.`;
}

export function Person({ id }: { id: string }) {
  const { db } = useApp();
  const summary = useRemote(() => personSummary(db, id), [id]);
  const checkins = useRemote(() => sharedCheckins(db, id), [id]);
  // Reading the summary records a look, so a reload (after a follow-up) would say "nothing new":
  // keep what was new when this page opened.
  const firstLook = useRef<SinceLastLook | null>(null);
  if (summary.state === 'ready' && !firstLook.current) firstLook.current = summary.value.since_last_look;
  const name = summary.state === 'ready' ? (summary.value.display_name ?? summary.value.username) : 'Person';
  return (
    <section aria-labelledby="person-title" class="person">
      <p>
        <AppLink href="/">Back to your caseload</AppLink>
      </p>
      <h1 id="person-title">{name}</h1>
      {summary.state === 'loading' && <p role="status">Loading…</p>}
      {summary.state === 'error' && (
        <p class="error" role="alert">
          {summary.message}
        </p>
      )}
      {summary.state === 'ready' && (
        <>
          <p>
            {rhythmLine(summary.value)} {usualGapWords(summary.value.checkins?.median_gap_days ?? null)}
          </p>
          {summary.value.quiet && !summary.value.concerns.some((event) => event.kind === 'quiet') && (
            <p class="quiet">{summary.value.quiet.message}</p>
          )}
          {firstLook.current && <WhatChanged look={firstLook.current} />}
          <ConcernList
            personId={id}
            concerns={summary.value.concerns}
            fresh={new Set(firstLook.current?.events.map((event) => event.id) ?? [])}
            onFollowedUp={summary.reload}
          />
          <DomainTrends domains={summary.value.domains} />
          <OtherMeasures sections={summary.value.sections} />
          <ConcernHistory history={summary.value.history} />
        </>
      )}
      <section aria-labelledby="checkins-title">
        <h2 id="checkins-title">Shared check-ins</h2>
        {checkins.state === 'loading' && <p role="status">Loading…</p>}
        {checkins.state === 'error' && (
          <p class="error" role="alert">
            {checkins.message}
          </p>
        )}
        {checkins.state === 'ready' &&
          (checkins.value.checkins.length === 0 ? (
            <p>Nothing shared yet.</p>
          ) : (
            <ul class="cards" data-testid="shared-checkins">
              {checkins.value.checkins.map((checkin, index) => (
                <CheckinAnswers key={checkin.id} checkin={checkin} open={index === 0} />
              ))}
            </ul>
          ))}
      </section>
    </section>
  );
}
