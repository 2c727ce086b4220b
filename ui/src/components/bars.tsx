/**
 * Two charts for comparisons: bars on uPlot (per-item differences, counts per variant), and an
 * interval plot in SVG (a mean with its confidence interval per row — few rows, so SVG is enough).
 * The numbers are always also in a table next to them; the charts are for the eye.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { color } from './chart.js';

export interface BarChartProps {
  title: string;
  /** One label per bar (shown on the x axis when there are few). */
  labels: string[];
  /** Values; bars below zero are drawn in the second colour. */
  values: number[];
  unit?: string;
  height?: number;
}

function fixed(value: number): string {
  return `${Number(value.toPrecision(3))}`;
}

export function BarChart(props: BarChartProps): ReactNode {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element || props.values.length === 0) return;
    const unit = props.unit ?? '';
    const bars = uPlot.paths.bars?.({ size: [0.7, 60], gap: 1 });
    const series = (label: string, fill: string): uPlot.Series => ({
      label,
      fill,
      stroke: fill,
      width: 0,
      ...(bars ? { paths: bars } : {}),
      points: { show: false },
      value: (_: uPlot, value: number | null) => (value === null ? '–' : `${fixed(value)}${unit}`),
    });
    const few = props.labels.length <= 12;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 280),
      height: props.height ?? 200,
      series: [
        { label: 'item', value: (_: uPlot, index: number | null) => (index === null ? '–' : (props.labels[index] ?? '')) },
        series('higher', color(2)),
        series('lower', color(1)),
      ],
      scales: { x: { time: false, range: [-0.5, props.values.length - 0.5] } },
      axes: [
        {
          values: (_: uPlot, ticks: number[]) => ticks.map((tick) => (few && Number.isInteger(tick) ? (props.labels[tick] ?? '') : '')),
        },
        { size: 60, values: (_: uPlot, ticks: number[]) => ticks.map((tick) => `${fixed(tick)}${unit}`) },
      ],
      legend: { show: true },
    };
    const x = props.values.map((_, index) => index);
    const data: uPlot.AlignedData = [
      x,
      props.values.map((value) => (value >= 0 ? value : null)),
      props.values.map((value) => (value < 0 ? value : null)),
    ];
    const plot = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 280), height: props.height ?? 200 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.labels, props.values, props.unit, props.height]);
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={host} role="img" aria-label={`${props.title}: ${props.values.length} bars`} />
    </figure>
  );
}

export interface IntervalRow {
  label: string;
  mean: number;
  low: number;
  high: number;
}

/** Means with confidence intervals on one axis; `zero` draws the line that a difference is read against. */
export function IntervalPlot(props: { title: string; rows: IntervalRow[]; zero?: boolean }): ReactNode {
  const width = 560;
  const labelWidth = 150;
  const rowHeight = 28;
  const height = props.rows.length * rowHeight + 30;
  const values = props.rows.flatMap((row) => [row.low, row.high, row.mean]).concat(props.zero ? [0] : []);
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const pad = (max - min) * 0.08;
  const scale = (value: number): number => labelWidth + ((value - min + pad) / (max - min + 2 * pad)) * (width - labelWidth - 20);
  const ticks = [min, (min + max) / 2, max];
  const description = props.rows.map((row) => `${row.label} ${fixed(row.mean)} [${fixed(row.low)}, ${fixed(row.high)}]`).join('; ');
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        style={{ maxWidth: width }}
        role="img"
        aria-label={`${props.title}: ${description}`}
      >
        {props.zero ? <line x1={scale(0)} x2={scale(0)} y1={0} y2={height - 24} stroke="#9ca3af" strokeDasharray="4 3" /> : null}
        {props.rows.map((row, index) => {
          const y = index * rowHeight + rowHeight / 2;
          const tone = props.zero ? (row.low > 0 ? color(2) : row.high < 0 ? color(1) : '#6b7280') : color(0);
          return (
            <g key={row.label}>
              <text x={labelWidth - 8} y={y + 4} textAnchor="end" fontSize="12">
                {row.label}
              </text>
              <line x1={scale(row.low)} x2={scale(row.high)} y1={y} y2={y} stroke={tone} strokeWidth="2" />
              <line x1={scale(row.low)} x2={scale(row.low)} y1={y - 6} y2={y + 6} stroke={tone} strokeWidth="2" />
              <line x1={scale(row.high)} x2={scale(row.high)} y1={y - 6} y2={y + 6} stroke={tone} strokeWidth="2" />
              <circle cx={scale(row.mean)} cy={y} r="5" fill={tone} />
            </g>
          );
        })}
        {ticks.map((tick) => (
          <text key={tick} x={scale(tick)} y={height - 8} textAnchor="middle" fontSize="11" fill="#6b7280">
            {fixed(tick)}
          </text>
        ))}
      </svg>
    </figure>
  );
}
