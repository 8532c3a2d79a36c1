/** How the API writes a moment: RFC 3339 in UTC, to the second unless told otherwise. */

/** Renders a clock time (ms since the epoch) as the API writes it. */
export type WireTime = (ms: number) => string;

export interface WireTimeOptions {
  /** Added to every timestamp: the API's clock is not the caller's. */
  skewMs?: number;
  /** Six fractional digits instead of whole seconds. */
  subSecond?: boolean;
}

export function wireTime({ skewMs = 0, subSecond = false }: WireTimeOptions = {}): WireTime {
  if (!Number.isFinite(skewMs)) throw new RangeError(`timestampSkewMs must be finite, got ${skewMs}`);
  return (ms) => {
    const at = ms + skewMs;
    const iso = new Date(at).toISOString();
    return subSecond ? iso.replace(/Z$/, `${microsBeyond(at)}Z`) : iso.replace(/\.\d{3}Z$/, "Z");
  };
}

/** The default: whole seconds, no skew. */
export const isoTime: WireTime = wireTime();

/**
 * Three digits below the millisecond, drawn from it so that the same moment always reads the same
 * (the clock only has milliseconds) while the digits do not look padded.
 */
function microsBeyond(ms: number): string {
  const hash = Math.imul(Math.floor(ms) | 0, 0x9e3779b1) >>> 0;
  return String(hash % 1000).padStart(3, "0");
}
