// One of the four change-model measures in a caseload row: the latest value, which way it is
// going (an arrow and a word, never colour alone) and a sparkline of the last shared answers.
import { Sparkline } from './Sparkline';
import type { Domain } from './staff';
import { directionWords, outOf, shown } from './words';

export function DomainCell({ domain }: { domain: Domain }) {
  if (domain.latest === null) {
    return (
      <div class="domain-cell">
        <span class="visually-hidden">{domain.label}: nothing shared yet</span>
        <span class="domain-value muted" aria-hidden="true">
          —
        </span>
      </div>
    );
  }
  const way = directionWords(domain.direction, domain.better);
  return (
    <div class="domain-cell">
      {/* The label is a column heading on screen; read out here so each value makes sense alone. */}
      <span class="visually-hidden">{domain.label}: </span>
      <span class="domain-value" aria-hidden="true">
        {shown(domain.latest)}
      </span>
      <span class="visually-hidden">{outOf(domain.latest, domain.scale)}, </span>
      {way.arrow && (
        <span class={`arrow tone-${way.tone}`} aria-hidden="true">
          {way.arrow}
        </span>
      )}
      {/* Without an arrow (one answer so far) the words would crowd the row: read out only. */}
      <span class={way.arrow ? 'direction-word' : 'visually-hidden'}>{way.word}</span>
      <Sparkline series={domain.series} scale={domain.scale} />
    </div>
  );
}
