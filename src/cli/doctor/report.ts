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

/** Columns a line of the checklist may take: a terminal this wide never wraps it by itself. */
export const TEXT_WIDTH = 80;

/**
 * Columns `text` may take, over-estimated: anything past U+10FF counts as two (wide CJK, emoji),
 * so a wrapped line is never wider than {@link TEXT_WIDTH}.
 */
function columns(char: string): number {
  return char.codePointAt(0)! >= 0x1100 ? 2 : 1;
}

/**
 * One logical line cut at {@link TEXT_WIDTH} columns, at a space where there is one; every further
 * line starts with `hang` (spaces). A value from a page is thus never left to the terminal's own
 * wrapping, where it could start a line with a forged "✓ …": only a check's own line starts at column 0.
 */
export function wrapLine(text: string, hang: string): string[] {
  const lines: string[] = [];
  let rest = [...text];
  let prefix: string[] = [];
  const fits = (limit: number) => {
    let width = prefix.length;
    let count = 0;
    while (count < rest.length && width + columns(rest[count]!) <= limit) width += columns(rest[count++]!);
    return count;
  };
  while (rest.length > 0) {
    let cut = fits(TEXT_WIDTH);
    if (cut < rest.length) {
      // At a space, two columns short of the edge, so a line that reaches the edge is always one cut
      // mid-word; unless that leaves most of the line empty (a long URL is cut where it must be).
      const space = rest.lastIndexOf(' ', fits(TEXT_WIDTH - 2));
      if (space > cut / 2) cut = space;
    }
    lines.push([...prefix, ...rest.slice(0, cut)].join('').trimEnd());
    rest = rest.slice(cut);
    while (rest[0] === ' ') rest = rest.slice(1);
    prefix = [...hang];
  }
  return lines.length > 0 ? lines : [''];
}

/** Continuation indents: a title's under its text, a note's and a fix's deeper than the notes. */
const HANG = { title: '  ', note: '      ', fix: '         ' };

export function renderText(checks: readonly Check[], target: string): string {
  const lines = [...wrapLine(`bc-customer-gate doctor: ${terminalSafe(target)}`, HANG.title), ''];
  for (const check of checks) {
    lines.push(...wrapLine(`${MARKS[check.status]} ${terminalSafe(check.title)}`, HANG.title));
    for (const note of check.notes ?? []) lines.push(...wrapLine(`    ${terminalSafe(note)}`, HANG.note));
    if (check.fix && (check.status === 'fail' || check.status === 'warn'))
      lines.push(...wrapLine(`    fix: ${terminalSafe(check.fix)}`, HANG.fix));
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
