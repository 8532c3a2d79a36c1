import { seededRandom } from "./random";

/**
 * Identifiers drawn from a seed text: the same seed gives the same token and UUIDs on every start, so a
 * stack pointed at the command-line simulator still finds its knowledge base after a restart.
 */
export interface StableIds {
  token: string;
  /** The next v4-shaped UUID of the sequence. */
  uuid(): string;
}

export function stableIds(seed: string): StableIds {
  const random = seededRandom(`gradient-indexing-simulator:${seed}`);
  const hex = (digits: number): string =>
    Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join("");
  const token = `dop_v1_sim${hex(64)}`;
  return {
    token,
    uuid: () => {
      const variant = (8 + Math.floor(random() * 4)).toString(16);
      return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
    },
  };
}
