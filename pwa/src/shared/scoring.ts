// Domain scores computed on the phone for the person's own trend charts, by the definitions'
// own rules (sum or mean, minimum answered, prorating, transform), so charts work offline too.
import type { Instrument, ScoringDomain } from './instruments';
import type { Answer } from './protocol';

function numeric(answer: Answer | undefined): number | null {
  if (typeof answer === 'number') return answer;
  if (typeof answer === 'boolean') return answer ? 1 : 0;
  return null;
}

/** One domain's score from one response's answers, or null when too few were answered. */
export function domainScore(
  instrument: Instrument,
  domain: ScoringDomain,
  answers: Record<string, Answer>,
): number | null {
  const items = instrument.items.filter((item) => item.domain === domain.id);
  const values: number[] = [];
  for (const item of items) {
    let value = numeric(answers[item.id]);
    if (value === null) continue;
    if (item.reverse_keyed && (item.response.type === 'scale' || item.response.type === 'count')) {
      value = item.response.min + item.response.max - value;
    }
    values.push(value);
  }
  if (values.length < domain.min_answered || values.length === 0) return null;
  if (!domain.prorate && values.length < items.length) return null;
  const sum = values.reduce((a, b) => a + b, 0);
  let raw = domain.method === 'mean' ? sum / values.length : (sum * items.length) / values.length;
  if (domain.transform?.type === 'linear') {
    raw = raw * domain.transform.multiply + domain.transform.add;
  } else if (domain.transform?.type === 'lookup') {
    if (!Number.isInteger(raw)) return null;
    const mapped = domain.transform.table[String(raw)];
    if (mapped === undefined) return null;
    raw = mapped;
  }
  return raw;
}

/** A domain's plotting range: the lowest and highest score its items allow. */
export function domainRange(instrument: Instrument, domain: ScoringDomain): [number, number] {
  const items = instrument.items.filter((item) => item.domain === domain.id);
  const bounds = items.map((item) => {
    const r = item.response;
    if (r.type === 'scale' || r.type === 'count') return [r.min, r.max] as const;
    if (r.type === 'choice') {
      const values = r.options.map((o) => o.value);
      return [Math.min(...values), Math.max(...values)] as const;
    }
    return [0, 1] as const;
  });
  const low = bounds.reduce((a, [min]) => a + min, 0);
  const high = bounds.reduce((a, [, max]) => a + max, 0);
  let range: [number, number] =
    domain.method === 'mean' && items.length ? [low / items.length, high / items.length] : [low, high];
  if (domain.transform?.type === 'linear') {
    const { multiply, add } = domain.transform;
    range = [range[0] * multiply + add, range[1] * multiply + add];
  } else if (domain.transform?.type === 'lookup') {
    const mapped = Object.values(domain.transform.table);
    range = [Math.min(...mapped), Math.max(...mapped)];
  }
  return range[0] <= range[1] ? range : [range[1], range[0]];
}
