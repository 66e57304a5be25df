// A small line chart of one domain over time, drawn as SVG on the phone. It does not rely on
// colour: one dark line, labelled axes, a marker per check-in (the latest one filled and larger)
// and a sentence saying the trend. The peer worker's page adds where the person started (a dashed
// line) and the scale's ranges (faint lines, their upper value marked on the axis).
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
  /** Their first answer: the chart draws it as a line and the sentence compares with it. */
  start?: Point | null;
  /** Upper values of the scale's ranges, drawn as faint lines. */
  bands?: number[];
}

const WIDTH = 300;
const HEIGHT = 140;
const PAD = { left: 34, right: 10, top: 12, bottom: 26 };
// Room above the plot for the "where they started" key, so it never sits on the line or a point.
const KEY_ROOM = 14;

const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' });

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/**
 * One sentence that says what the chart shows, for everyone. It compares the latest answer with
 * where they started when that is given, else with the first answer on the chart.
 */
export function describeTrend(
  label: string,
  points: Point[],
  range: [number, number],
  lowerIsBetter: boolean,
  start: Point | null = null,
): string {
  const scale = `on a scale from ${round(range[0])} to ${round(range[1])}${lowerIsBetter ? ', where lower is better' : ''}`;
  if (!points.length) return `${label}: no answers yet.`;
  const last = points[points.length - 1]!;
  const from = start ?? points[0]!;
  if (points.length === 1 && from.at === last.at) return `${label}: ${round(last.value)} ${scale}, on ${day.format(last.at)}.`;
  const change = last.value - from.value;
  const direction = Math.abs(change) < 1e-9 ? 'the same as' : change > 0 ? 'up from' : 'down from';
  const when = start ? `when they started, on ${day.format(from.at)}` : `on ${day.format(from.at)}`;
  return `${label}: latest ${round(last.value)} ${scale}, on ${day.format(last.at)}; ${direction} ${round(from.value)} ${when}.`;
}

export function TrendChart({ id, label, points, range, lowerIsBetter, start = null, bands = [] }: TrendChartProps) {
  const summary = describeTrend(label, points, range, lowerIsBetter, start);
  const [low, high] = range[0] === range[1] ? [range[0], range[0] + 1] : range;
  const top = PAD.top + (start ? KEY_ROOM : 0);
  const height = HEIGHT + (start ? KEY_ROOM : 0);
  const first = points[0]?.at ?? 0;
  const last = points[points.length - 1]?.at ?? 0;
  const span = Math.max(1, last - first);
  const right = WIDTH - PAD.right;
  const x = (at: number) =>
    points.length === 1 ? (PAD.left + right) / 2 : PAD.left + ((at - first) / span) * (right - PAD.left);
  const y = (value: number) => top + (1 - (value - low) / (high - low)) * (height - top - PAD.bottom);
  const line = points.map((p) => `${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  // Ranges strictly inside the scale: a line at the top or bottom edge says nothing.
  const inside = bands.filter((upper) => upper > low && upper < high);
  return (
    <figure class="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{summary}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby={`${id}-caption`} focusable="false">
        {inside.map((upper) => (
          <g key={upper}>
            <line x1={PAD.left} y1={y(upper)} x2={right} y2={y(upper)} class="band" />
            <text x={PAD.left - 6} y={y(upper) + 4} text-anchor="end" class="tick">
              {round(upper)}
            </text>
          </g>
        ))}
        <line x1={PAD.left} y1={top} x2={PAD.left} y2={height - PAD.bottom} class="axis" />
        <line x1={PAD.left} y1={height - PAD.bottom} x2={right} y2={height - PAD.bottom} class="axis" />
        <text x={PAD.left - 6} y={y(high) + 4} text-anchor="end" class="tick">
          {round(high)}
        </text>
        <text x={PAD.left - 6} y={y(low) + 4} text-anchor="end" class="tick">
          {round(low)}
        </text>
        {start && (
          <>
            <line x1={PAD.left} y1={y(start.value)} x2={right} y2={y(start.value)} class="baseline" />
            {/* The key, top right: a piece of the dashed line and its words. */}
            <line x1={right - 140} y1={10} x2={right - 114} y2={10} class="baseline" />
            <text x={right} y={14} text-anchor="end" class="tick">
              Where they started
            </text>
          </>
        )}
        {points.length > 0 && (
          <>
            <text x={PAD.left} y={height - 6} class="tick">
              {day.format(first)}
            </text>
            {points.length > 1 && (
              <text x={right} y={height - 6} text-anchor="end" class="tick">
                {day.format(last)}
              </text>
            )}
          </>
        )}
        {points.length > 1 && <polyline points={line} class="trend" />}
        {points.map((p, index) => (
          <circle
            key={p.at}
            cx={x(p.at)}
            cy={y(p.value)}
            r={index === points.length - 1 ? 5.5 : 3.5}
            class={index === points.length - 1 ? 'point latest' : 'point'}
          />
        ))}
      </svg>
    </figure>
  );
}
