// A time series chart for the operator's console, drawn by uPlot (canvas, no inline script or
// style: the pages' CSP holds). uPlot arrives with the console, not with the shell.
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";

type UPlot = typeof uPlot;

const loadUplot = (): Promise<UPlot> =>
  Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(([module]) => module.default);

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

interface Props {
  /** Seconds since the epoch, oldest first; one per value of each series. */
  times: number[];
  series: ChartSeries[];
  /** How the y axis is read (a unit in people's words). */
  unit: string;
  label: string;
  height: number;
}

// Distinct hues for the series, in order (uPlot draws what it is given; no theme of its own).
const COLORS = ["#2f6fde", "#d9480f", "#2b8a3e", "#ae3ec9", "#e8590c", "#1098ad", "#5c7cfa", "#868e96"];

export function CostChart({ times, series, unit, label, height }: Props): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const shape = series.map((one) => one.label).join("\u0000");

  // (Re)made when the set of series changes; otherwise only its data moves.
  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | null = null;
    void loadUplot().then((Plot) => {
      const element = box.current;
      if (disposed || !element) return;
      const made = new Plot(
        {
          width: element.clientWidth || 320,
          height,
          series: [
            {},
            ...series.map((one, index) => ({
              label: one.label,
              stroke: COLORS[index % COLORS.length],
              width: 2,
            })),
          ],
          axes: [{}, { label: unit }],
          legend: { live: false },
        },
        [times, ...series.map((one) => one.values)],
        element,
      );
      chart.current = made;
      observer = new ResizeObserver(() => made.setSize({ width: element.clientWidth, height }));
      observer.observe(element);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, [shape, unit, height]);

  useEffect(() => {
    chart.current?.setData([times, ...series.map((one) => one.values)]);
  }, [times, series]);

  return (
    <figure class="cost-chart" aria-label={label}>
      <div ref={box} class="cost-chart-plot" role="img" aria-label={label} />
    </figure>
  );
}
