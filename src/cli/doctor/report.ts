/**
 * The doctor's checklist: one line per check, ✓ passed, ✗ failed (with the fix), ! warning, - skipped.
 * Every string is made terminal-safe here, at the one place text leaves the command, because most of
 * it quotes what a page or a server sent.
 */
import { terminalSafe } from '../../terminal.js';

export type Status = 'pass' | 'fail' | 'warn' | 'skip';

export interface Check {
  /** Stable identifier for CI (`page.fetch`, `csp.connect`, `endpoint.cors`, ...). */
  id: string;
  status: Status;
  /** One line: what was found. */
  title: string;
  /** What to change, one sentence; for failures and warnings. */
  fix?: string;
  /** Extra lines worth knowing (timings, versions, which directive decided). */
  notes?: string[];
}

const MARKS: Record<Status, string> = { pass: '✓', fail: '✗', warn: '!', skip: '-' };

/** A value from the network, quoted and cut short: safe to put in a title. */
export function shown(value: string, max = 120): string {
  const clipped = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(clipped);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

export function exitCode(checks: readonly Check[]): number {
  return checks.some((check) => check.status === 'fail') ? 1 : 0;
}

export function renderText(checks: readonly Check[], target: string): string {
  const lines = [`bc-customer-gate doctor: ${terminalSafe(target)}`, ''];
  for (const check of checks) {
    lines.push(`${MARKS[check.status]} ${terminalSafe(check.title)}`);
    for (const note of check.notes ?? []) lines.push(`    ${terminalSafe(note)}`);
    if (check.fix && (check.status === 'fail' || check.status === 'warn'))
      lines.push(`    fix: ${terminalSafe(check.fix)}`);
  }
  const count = (status: Status) => checks.filter((check) => check.status === status).length;
  const failed = count('fail');
  lines.push(
    '',
    failed === 0
      ? `Ready: every required check passed (${count('pass')} ok, ${count('warn')} warning${count('warn') === 1 ? '' : 's'}).`
      : `Not ready: ${failed} to fix (${count('pass')} ok, ${count('warn')} warning${count('warn') === 1 ? '' : 's'}).`,
  );
  return `${lines.join('\n')}\n`;
}

export function renderJson(checks: readonly Check[], target: string): string {
  const report = {
    storefront: target,
    ok: exitCode(checks) === 0,
    checks: checks.map(({ notes, ...check }) => (notes?.length ? { ...check, notes } : check)),
  };
  return `${JSON.stringify(report, (_key, value: unknown) => (typeof value === 'string' ? terminalSafe(value) : value), 2)}\n`;
}
