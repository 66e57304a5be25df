// A small line chart of one domain over time, drawn as SVG on the phone. It does not rely on
// colour: one dark line, labelled axes, a marker per check-in and a sentence saying the trend.
export interface Point {
  at: number;
  value: number;
}

interface TrendChartProps {
  id: string;
  label: string;
  points: Point[];
  range: [number, number];
  lowerIsBetter: boolean;
}

const WIDTH = 300;
const HEIGHT = 140;
const PAD = { left: 34, right: 10, top: 12, bottom: 26 };

const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' });

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** One sentence that says what the chart shows, for everyone. */
export function describeTrend(label: string, points: Point[], range: [number, number], lowerIsBetter: boolean): string {
  const scale = `on a scale from ${round(range[0])} to ${round(range[1])}${lowerIsBetter ? ', where lower is better' : ''}`;
  if (!points.length) return `${label}: no answers yet.`;
  const last = points[points.length - 1]!;
  if (points.length === 1) return `${label}: ${round(last.value)} ${scale}, on ${day.format(last.at)}.`;
  const first = points[0]!;
  const change = last.value - first.value;
  const direction = Math.abs(change) < 1e-9 ? 'the same as' : change > 0 ? 'up from' : 'down from';
  return `${label}: latest ${round(last.value)} ${scale}, on ${day.format(last.at)}; ${direction} ${round(first.value)} on ${day.format(first.at)}.`;
}

export function TrendChart({ id, label, points, range, lowerIsBetter }: TrendChartProps) {
  const summary = describeTrend(label, points, range, lowerIsBetter);
  const [low, high] = range[0] === range[1] ? [range[0], range[0] + 1] : range;
  const first = points[0]?.at ?? 0;
  const last = points[points.length - 1]?.at ?? 0;
  const span = Math.max(1, last - first);
  const x = (at: number) =>
    points.length === 1 ? (PAD.left + WIDTH - PAD.right) / 2 : PAD.left + ((at - first) / span) * (WIDTH - PAD.left - PAD.right);
  const y = (value: number) => PAD.top + (1 - (value - low) / (high - low)) * (HEIGHT - PAD.top - PAD.bottom);
  const line = points.map((p) => `${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  return (
    <figure class="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{summary}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-caption`} focusable="false">
        <line x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={HEIGHT - PAD.bottom} class="axis" />
        <line x1={PAD.left} y1={HEIGHT - PAD.bottom} x2={WIDTH - PAD.right} y2={HEIGHT - PAD.bottom} class="axis" />
        <text x={PAD.left - 6} y={y(high) + 4} text-anchor="end" class="tick">
          {round(high)}
        </text>
        <text x={PAD.left - 6} y={y(low) + 4} text-anchor="end" class="tick">
          {round(low)}
        </text>
        {points.length > 0 && (
          <>
            <text x={PAD.left} y={HEIGHT - 6} class="tick">
              {day.format(first)}
            </text>
            {points.length > 1 && (
              <text x={WIDTH - PAD.right} y={HEIGHT - 6} text-anchor="end" class="tick">
                {day.format(last)}
              </text>
            )}
          </>
        )}
        {points.length > 1 && <polyline points={line} class="trend" />}
        {points.map((p) => (
          <circle key={p.at} cx={x(p.at)} cy={y(p.value)} r={4} class="point" />
        ))}
      </svg>
    </figure>
  );
}
