// The maths of a caseload sparkline: points placed by time on the measure's whole scale, so a
// line near the bottom means low answers, not just the lowest of this person's answers.
import type { Scale } from './staff';

export interface SparkPoint {
  /** Milliseconds since the epoch. */
  at: number;
  value: number;
}

export interface SparkGeometry {
  /** An SVG path ("M x y L x y ..."); empty with fewer than two points. */
  path: string;
  /** Where the latest point sits, to mark it; null with no points. */
  last: { x: number; y: number } | null;
}

const fixed = (n: number) => Number(n.toFixed(1));

/** Place the points (oldest first) in a width × height box with `pad` kept clear at each edge. */
export function sparkline(points: SparkPoint[], scale: Scale, width: number, height: number, pad = 2): SparkGeometry {
  if (!points.length) return { path: '', last: null };
  const first = points[0]!.at;
  const span = points[points.length - 1]!.at - first;
  const range = scale.max - scale.min || 1;
  // By time, so a long gap shows as a long stretch; all at one moment (or one point) sits in the middle.
  const x = (at: number) => (span > 0 ? pad + ((at - first) / span) * (width - 2 * pad) : width / 2);
  const y = (value: number) => {
    const clamped = Math.min(scale.max, Math.max(scale.min, value));
    return pad + (1 - (clamped - scale.min) / range) * (height - 2 * pad);
  };
  const placed = points.map((p) => ({ x: fixed(x(p.at)), y: fixed(y(p.value)) }));
  const path = placed.length < 2 ? '' : placed.map((p, i) => `${i ? 'L' : 'M'}${p.x} ${p.y}`).join(' ');
  return { path, last: placed[placed.length - 1]! };
}
