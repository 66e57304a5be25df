// A chart per domain along the change model (trust, hope, connection, wellbeing): their shared
// answers, where they started, and the scale's ranges where it has them.
import type { PersonDomain } from './staff';
import { TrendChart, type Point } from './TrendChart';

function startOf(domain: PersonDomain): Point | null {
  if (domain.baseline === null || domain.baseline_at === null) return null;
  return { at: Date.parse(domain.baseline_at), value: domain.baseline };
}

export function DomainTrends({ domains }: { domains: PersonDomain[] }) {
  return (
    <section aria-labelledby="domains-title">
      <h2 id="domains-title">How they are doing</h2>
      <p class="hint">From their shared check-ins. The dashed line shows where they started; the latest answer is the filled dot.</p>
      <div class="domain-trends">
        {domains.map((domain) => (
          <div key={domain.domain} class="domain-trend">
            <h3>{domain.label}</h3>
            {domain.series.length === 0 ? (
              <p>Nothing shared yet.</p>
            ) : (
              <TrendChart
                id={`trend-${domain.domain}`}
                label={domain.label}
                points={domain.series.map((point) => ({ at: Date.parse(point.at), value: point.value }))}
                range={[domain.scale.min, domain.scale.max]}
                lowerIsBetter={domain.better === 'down'}
                start={startOf(domain)}
                bands={domain.bands.map((band) => band.upper)}
              />
            )}
          </div>
        ))}
      </div>
    </section>
  );
}
