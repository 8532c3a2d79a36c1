import type { SimulatorOptions } from "./types";

/**
 * Every known fact of the real API at once (see docs/simulator.md), for a client to be tested against
 * them together. Spread it under overrides: `startSimulator({ ...REAL_API_PRESET, port: 8080 })`.
 */
export const REAL_API_PRESET: Readonly<SimulatorOptions> = Object.freeze({
  readAfterWriteLagMs: 3000,
  sourceCounts: "at-end",
  runningStatus: "INDEX_JOB_STATUS_RUNNING",
  timestampSkewMs: 2000,
  subSecondTimestamps: true,
  concurrentStartStatus: 412,
  concurrentStartMessage: "an indexing job is already in progress",
  startFaults: Object.freeze(["429-retry-after", "503", "drop-after"] as const),
  cancelDelayMs: 3000,
  provisioningMs: 5000,
  reindexOnDataSourceDelete: true,
});
