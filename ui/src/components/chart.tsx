/**
 * A time-series chart on uPlot (canvas, ~50 kB): the console draws many points and stays fast.
 * The numbers are also given as a table for screen readers (`summary`).
 */
import { useEffect, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
}

const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f'];
export function color(index: number): string {
  return palette[index % palette.length] ?? '#2563eb';
}

export interface TimeChartProps {
  title: string;
  /** Epoch ms of each point. */
  times: number[];
  series: Series[];
  unit?: string;
  height?: number;
  /** The x axis, epoch ms (default: the points' own span, at least a minute either side). */
  range?: [number, number];
}

function xRange(props: TimeChartProps): [number, number] {
  if (props.range) return [props.range[0] / 1000, props.range[1] / 1000];
  const first = Math.min(...props.times);
  const last = Math.max(...props.times);
  const pad = Math.max(60_000, (last - first) * 0.02);
  return [(first - pad) / 1000, (last + pad) / 1000];
}

export function TimeChart(props: TimeChartProps): ReactNode {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const unit = props.unit ?? '';
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 280),
      height: props.height ?? 180,
      series: [
        {},
        ...props.series.map((series) => ({
          label: series.label,
          stroke: series.color,
          width: 2,
          points: { show: props.times.length < 40 },
          value: (_: uPlot, value: number | null) => (value === null ? '–' : `${Number(value.toPrecision(4))}${unit}`),
        })),
      ],
      axes: [{}, { size: 60, values: (_: uPlot, ticks: number[]) => ticks.map((tick) => `${Number(tick.toPrecision(3))}${unit}`) }],
      scales: { x: { time: true, range: () => xRange(props) } },
      legend: { show: true },
    };
    const data: uPlot.AlignedData = [props.times.map((time) => time / 1000), ...props.series.map((series) => series.values)];
    const plot = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 280), height: props.height ?? 180 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.times, props.series, props.unit, props.height, props.range]);
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={host} role="img" aria-label={`${props.title}: ${props.series.map((series) => series.label).join(', ')}`} />
    </figure>
  );
}

/** A horizontal bar for a share of a total, inside a table cell. */
export function ShareBar(props: { value: number; max: number; label: string }): ReactNode {
  const width = props.max === 0 ? 0 : Math.max(2, (props.value / props.max) * 100);
  return (
    <span className="share" role="img" aria-label={props.label} title={props.label}>
      <span className="share-fill" style={{ width: `${width}%` }} />
    </span>
  );
}
