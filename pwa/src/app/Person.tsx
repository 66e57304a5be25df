// One linked person as their peer worker sees them: the summary of their shared check-ins
// (trust, hope, engagement, wellbeing) and the shared check-ins with notes.
import { personSummary, sharedCheckins, shown, when } from './staff';
import { useApp } from './state';
import { useRemote } from './useRemote';

function trend(perWeek: number | null, direction: string): string {
  if (perWeek === null) return 'not enough check-ins for a trend';
  if (Math.abs(perWeek) < 0.05) return 'steady';
  const rising = perWeek > 0;
  const better = direction === 'lower_is_better' ? !rising : rising;
  return `${rising ? 'rising' : 'falling'} ${shown(Math.abs(perWeek))} a week (${better ? 'better' : 'worse'})`;
}

export function Person({ id }: { id: string }) {
  const { db, navigate } = useApp();
  const summary = useRemote(() => personSummary(db, id), [id]);
  const checkins = useRemote(() => sharedCheckins(db, id), [id]);
  const name = summary.state === 'ready' ? summary.value.display_name ?? summary.value.username : 'Person';
  return (
    <section aria-labelledby="person-title">
      <p>
        <a
          href="/"
          onClick={(event) => {
            event.preventDefault();
            navigate('/');
          }}
        >
          Back to your caseload
        </a>
      </p>
      <h1 id="person-title">{name}</h1>
      {summary.state === 'loading' && <p role="status">Loading…</p>}
      {summary.state === 'error' && <p class="error" role="alert">{summary.message}</p>}
      {summary.state === 'ready' && (
        <>
          {summary.value.checkins && (
            <p>
              {summary.value.checkins.total} shared check-ins
              {summary.value.checkins.last_at ? `, the last on ${when.format(Date.parse(summary.value.checkins.last_at))}` : ''}.
            </p>
          )}
          {summary.value.sections.map((section) => (
            <section key={section.mechanism} aria-labelledby={`section-${section.mechanism}`}>
              <h2 id={`section-${section.mechanism}`}>{section.title}</h2>
              {section.measures.length === 0 ? (
                <p>No shared answers yet.</p>
              ) : (
                <ul class="cards">
                  {section.measures.map((measure) => (
                    <li key={measure.measure} class="card">
                      <h3>{measure.label}</h3>
                      <p>
                        Latest {shown(measure.latest)}
                        {measure.band ? ` (${measure.band})` : ''}; last 4 weeks' average {shown(measure.mean_4w)}.
                      </p>
                      <p>Trend: {trend(measure.trend_per_week, measure.direction)}.</p>
                      {measure.reliable_change && (
                        <p class="flag">
                          Reliable change since the start: {measure.reliable_change}
                          {measure.provisional ? ' (provisional)' : ''}.
                        </p>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          ))}
        </>
      )}
      <h2>Shared check-ins</h2>
      {checkins.state === 'loading' && <p role="status">Loading…</p>}
      {checkins.state === 'error' && <p class="error" role="alert">{checkins.message}</p>}
      {checkins.state === 'ready' &&
        (checkins.value.checkins.length === 0 ? (
          <p>Nothing shared yet.</p>
        ) : (
          <ul class="cards" data-testid="shared-checkins">
            {checkins.value.checkins.map((checkin) => (
              <li key={checkin.id} class="card">
                <h3>{when.format(Date.parse(checkin.effective_at))}</h3>
                {checkin.note ? <p class="note">{checkin.note}</p> : <p class="hint">No note.</p>}
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
