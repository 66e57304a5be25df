// A tiny line of someone's last few shared answers. Hidden from screen readers: the value and
// the direction in words sit right next to it.
import { sparkline } from './sparkline';
import type { DomainPoint, Scale } from './staff';

const WIDTH = 48;
const HEIGHT = 18;

export function Sparkline({ series, scale }: { series: DomainPoint[]; scale: Scale }) {
  const { path, last } = sparkline(
    series.map((point) => ({ at: Date.parse(point.at), value: point.value })),
    scale,
    WIDTH,
    HEIGHT,
  );
  return (
    <svg class="sparkline" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-hidden="true" focusable="false">
      <line x1={0} y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} class="spark-floor" />
      {path && <path d={path} class="spark-line" />}
      {last && <circle cx={last.x} cy={last.y} r={2.25} class="spark-last" />}
    </svg>
  );
}
