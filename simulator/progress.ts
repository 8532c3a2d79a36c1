import { seededRandom } from "./random";
import type { ProgressShape } from "./types";

/** Maps the elapsed fraction of a data source's time window to the fraction of its items done. */
export type ProgressCurve = (elapsed: number) => number;

const ERRATIC_SEGMENTS = 10;

const steady: ProgressCurve = (elapsed) => clamp01(elapsed);

/**
 * A monotone piecewise-linear curve from (0,0) to (1,1) made of equal-time segments whose slopes are
 * drawn from `seed`: some are flat (stalls), some steep (jumps). The second segment is always flat so
 * that every erratic data source visibly stalls at least once.
 */
function erratic(seed: string): ProgressCurve {
  const random = seededRandom(seed);
  const weights = Array.from({ length: ERRATIC_SEGMENTS }, (_, i) => {
    if (i === 1) return 0;
    const draw = random();
    return draw < 0.4 ? 0 : 0.2 + draw * draw * 4;
  });
  // Make sure the curve can reach 1 even if every draw stalled.
  if (!weights.some((w) => w > 0)) weights[ERRATIC_SEGMENTS - 1] = 1;
  const total = weights.reduce((sum, w) => sum + w, 0);
  const cumulative = [0];
  for (const w of weights) cumulative.push((cumulative[cumulative.length - 1] ?? 0) + w / total);

  return (elapsed) => {
    const position = clamp01(elapsed) * ERRATIC_SEGMENTS;
    const segment = Math.min(Math.floor(position), ERRATIC_SEGMENTS - 1);
    const from = cumulative[segment] ?? 0;
    const to = cumulative[segment + 1] ?? 1;
    return Math.min(1, from + (to - from) * (position - segment));
  };
}

/** Nothing counted until the data source is done: counts that come only with its end. */
const atTheEnd: ProgressCurve = (elapsed) => (elapsed >= 1 ? 1 : 0);

/**
 * `steady` and `erratic` counts move while a data source runs; `stepwise` counts show only once a data
 * source finished (the data sources finishing one after another); `silent` counts nothing until the
 * whole job ends (its data sources run alongside each other, all to the job's end).
 */
export function progressCurve(shape: ProgressShape, seed: string): ProgressCurve {
  if (shape === "erratic") return erratic(seed);
  return shape === "stepwise" || shape === "silent" ? atTheEnd : steady;
}

/** Whether the data sources of a job of this shape run alongside each other rather than one after another. */
export function sourcesRunAlongside(shape: ProgressShape): boolean {
  return shape === "silent";
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
