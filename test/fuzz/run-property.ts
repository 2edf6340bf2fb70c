// Seeded, time-bounded property runs for the fuzz suites. Every run uses one seed, printed in the
// suite's title and in every failure, so `FUZZ_SEED=<seed> node scripts/run-node-tests.mjs fuzz`
// replays a failure exactly.
import fc from 'fast-check';
import { it, type TestContext } from 'node:test';

const DEFAULT_SEED = 20_240_611;

/** `FUZZ_SEED` when set (to replay a failure or explore), else a fixed seed so CI is deterministic. */
export const FUZZ_SEED = readInteger('FUZZ_SEED', DEFAULT_SEED, -(2 ** 31), 2 ** 31 - 1);

/**
 * `FUZZ_RUNS` overrides every property's run count for a deeper local run; it also lifts the time
 * limit, since a deliberate long run should not be cut short.
 */
const RUNS_OVERRIDE = process.env['FUZZ_RUNS'] ? readInteger('FUZZ_RUNS', 0, 1, 10_000_000) : undefined;

function readInteger(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${text}".`);
  }
  return value;
}

export interface RunLimits {
  /** Cases to generate. */
  numRuns: number;
  /**
   * Stop generating after this long and pass with the cases run so far (the count is reported).
   * Default 1.5 s, so a suite of a dozen properties stays within about 20 s on a slow machine.
   */
  timeLimitMs?: number;
}

/**
 * Checks a property with the suite's seed. On failure, throws fast-check's report (seed, replay
 * path, shrunk counterexample, the assertion that failed) behind a line saying how to replay it;
 * on success, notes the number of cases run. Returns that number.
 */
export async function runProperty<Ts extends [unknown, ...unknown[]]>(
  t: TestContext,
  property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>,
  limits: RunLimits,
): Promise<number> {
  const numRuns = RUNS_OVERRIDE ?? limits.numRuns;
  const plugins = RUNS_OVERRIDE ? [] : [fc.interruptAfterTimeLimit(limits.timeLimitMs ?? 1500)];
  const details = await fc.check(property as fc.IAsyncProperty<Ts>, { seed: FUZZ_SEED, numRuns, plugins });
  if (details.failed) {
    const report = (await fc.asyncDefaultReportMessage(details)) ?? 'Property failed.';
    const { errorInstance } = details;
    const got = errorInstance instanceof Error ? errorInstance.message : String(errorInstance);
    throw new Error(`Replay with FUZZ_SEED=${FUZZ_SEED}.\n${report}\nGot: ${got}`, { cause: errorInstance });
  }
  const stopped = details.interrupted ? `, stopped at the time limit before ${numRuns}` : '';
  t.diagnostic(`${details.numRuns} cases, seed ${details.seed}${stopped}`);
  return details.numRuns;
}

/**
 * A suite's tally: `property` declares one `it` per property, `run` checks one inside a test of the
 * suite's own, and `summary` prints how many properties and cases ran, in how long, with the seed.
 */
export function createTally(label: string) {
  let properties = 0;
  let cases = 0;
  const started = performance.now();
  const run = async <Ts extends [unknown, ...unknown[]]>(
    t: TestContext,
    property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>,
    limits: RunLimits,
  ): Promise<number> => {
    properties += 1;
    const ran = await runProperty(t, property, limits);
    cases += ran;
    return ran;
  };
  return {
    run,
    property<Ts extends [unknown, ...unknown[]]>(
      name: string,
      limits: RunLimits,
      build: () => fc.IAsyncProperty<Ts>,
    ): void {
      it(name, { timeout: 60_000 }, async (t: TestContext) => {
        await run(t, build(), limits);
      });
    },
    summary(): void {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`# ${label}: ${properties} properties, ${cases} cases in ${seconds} s, FUZZ_SEED=${FUZZ_SEED}`);
    },
  };
}
