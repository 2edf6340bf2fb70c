/**
 * Where the development build plugs in (./hints.ts). Empty in the production build, so the console
 * hints and their messages cost the production bundle nothing but this object and one call.
 */
import type { Outcome } from './session.js';

export const devHooks: {
  /** Sees every state a gate applies, after any error it became, and its detail. */
  report?(gate: Element & { endpoint?: string | undefined }, state: Outcome[0], detail: Outcome[1]): void;
} = {};
