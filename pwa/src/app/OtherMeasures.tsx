// The other answers (life satisfaction, loneliness, active days...) as one plain line each,
// below the four charts. Only the latest answer and which way it is going: no method names.
import { when, type MeasureSummary, type PersonSummary } from './staff';
import { shown } from './words';

// These four have their own charts above (measure keys are "instrument@version/domain").
const CHARTED = new Set(['trust', 'hope', 'connection', 'wellbeing']);

/** The answered measures that are not one of the four charted domains, in the server's order. */
export function otherMeasures(sections: PersonSummary['sections']): MeasureSummary[] {
  return sections
    .flatMap((section) => section.measures)
    .filter((measure) => measure.latest !== null && !CHARTED.has(measure.measure.split('/').pop() ?? ''));
}

/** "Life satisfaction: 6 (medium), on 3 Dec 2026; going up lately." */
export function measureLine(measure: MeasureSummary): string {
  const band = measure.band ? ` (${measure.band})` : '';
  const date = measure.latest_at ? `, on ${when.format(Date.parse(measure.latest_at))}` : '';
  const slope = measure.trend_per_week;
  // Under a twentieth of a point a week is no change anyone would notice.
  const lately = slope === null ? '' : Math.abs(slope) < 0.05 ? '; steady lately' : slope > 0 ? '; going up lately' : '; going down lately';
  const lower = measure.direction === 'lower_is_better' ? ' Lower is better.' : '';
  return `${measure.label}: ${shown(measure.latest)}${band}${date}${lately}.${lower}`;
}

export function OtherMeasures({ sections }: { sections: PersonSummary['sections'] }) {
  const measures = otherMeasures(sections);
  if (!measures.length) return null;
  return (
    <section aria-labelledby="other-title">
      <h2 id="other-title">Other answers</h2>
      <ul class="plain-list">
        {measures.map((measure) => (
          <li key={measure.measure}>{measureLine(measure)}</li>
        ))}
      </ul>
    </section>
  );
}
