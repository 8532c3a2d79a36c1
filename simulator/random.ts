import { randomBytes, randomUUID } from "node:crypto";

/** A random v4 UUID, as the API hands out for every object. */
export function newUuid(): string {
  return randomUUID();
}

/** A token shaped like a DigitalOcean personal access token, marked as a simulator one. */
export function newToken(): string {
  return `dop_v1_sim${randomBytes(32).toString("hex")}`;
}

/**
 * A deterministic generator of numbers in [0, 1) derived from a string (FNV-1a hash feeding
 * mulberry32): the same job uuid always yields the same erratic progress.
 */
export function seededRandom(seed: string): () => number {
  let state = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    state ^= seed.charCodeAt(i);
    state = Math.imul(state, 0x01000193);
  }
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
