/** One bucket of a segment's history, as `GET /v1/segments/{key}/history` gives it. */
export interface HistoryPoint {
  at: string;
  entries: number;
  exits: number;
  size: number;
}

const WIDTH = 640;
const HEIGHT = 180;
const PAD = { left: 48, right: 8, top: 8, bottom: 44 };

/**
 * A segment's size over time as a line (members at the end of each bucket), with each bucket's
 * entries above the baseline and exits below it as thin bars. The figures are in its accessible
 * name and in the table that follows it on the page.
 */
export function SizeChart(props: { points: HistoryPoint[]; label: string }) {
  const { points } = props;
  const first = points[0];
  const last = points.at(-1);
  if (first === undefined || last === undefined) return null;
  const maxSize = Math.max(1, ...points.map((p) => p.size));
  const maxMove = Math.max(1, ...points.map((p) => Math.max(p.entries, p.exits)));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = plotWidth / points.length;
  const x = (i: number) => PAD.left + (i + 0.5) * step;
  const y = (size: number) => PAD.top + plotHeight - (size / maxSize) * plotHeight;
  const bar = (count: number) => (count / maxMove) * 24;
  const base = PAD.top + plotHeight;
  const line = points.map((p, i) => `${x(i).toFixed(1)},${y(p.size).toFixed(1)}`).join(' ');
  const entries = points.reduce((sum, p) => sum + p.entries, 0);
  const exits = points.reduce((sum, p) => sum + p.exits, 0);
  const name = `${props.label}: from ${first.size} to ${last.size} members; ${entries} entries and ${exits} exits`;
  return (
    <svg className="size-chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={name}>
      <line className="axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={base} y2={base} />
      <text className="tick" x={PAD.left - 6} y={PAD.top + 10} textAnchor="end">
        {maxSize}
      </text>
      <text className="tick" x={PAD.left - 6} y={base} textAnchor="end">
        0
      </text>
      {points.map((p, i) => (
        <g key={p.at}>
          {p.entries > 0 && (
            <rect
              className="entries"
              x={x(i) - 2}
              y={base - bar(p.entries)}
              width={4}
              height={bar(p.entries)}
            />
          )}
          {p.exits > 0 && <rect className="exits" x={x(i) - 2} y={base} width={4} height={bar(p.exits)} />}
        </g>
      ))}
      <polyline className="size" points={line} />
      <text className="tick" x={PAD.left} y={HEIGHT - 4}>
        {new Date(first.at).toLocaleString()}
      </text>
      <text className="tick" x={WIDTH - PAD.right} y={HEIGHT - 4} textAnchor="end">
        {new Date(last.at).toLocaleString()}
      </text>
    </svg>
  );
}
