// Reads the project's Markdown pages the way a reader sees them: fenced code blocks with their
// language and the heading above them, relative links, and the anchors GitHub gives headings.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export const root = new URL('../../', import.meta.url);

/** The README and every page under docs/: every snippet in them is tested. */
export function documentationPages(): string[] {
  const docs = readdirSync(new URL('docs/', root))
    .filter((name) => name.endsWith('.md'))
    .sort();
  return ['README.md', ...docs.map((name) => `docs/${name}`)];
}

export function readPage(page: string): string {
  return readFileSync(new URL(page, root), 'utf8');
}

export function pageExists(page: string): boolean {
  return existsSync(new URL(page, root));
}

export interface CodeBlock {
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** The nearest heading above the block. */
  heading: string;
}

export function codeBlocks(page: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = readPage(page).split('\n');
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^```(\S*)\s*$/.exec(line);
    if (fence) {
      const end = lines.findIndex((candidate, j) => j > i && candidate.trimEnd() === '```');
      if (end === -1) throw new Error(`${page}:${i + 1}: code block never closed`);
      blocks.push({ page, line: i + 1, lang: fence[1]!, code: `${lines.slice(i + 1, end).join('\n')}\n`, heading });
      i = end;
    } else if (/^#{1,6} /.test(line)) {
      heading = line.replace(/^#+ /, '');
    }
  }
  return blocks;
}

/** The block of `lang` under the heading `heading` (exactly one must exist). */
export function blockUnder(page: string, heading: string, lang: string): CodeBlock {
  const found = codeBlocks(page).filter((block) => block.heading === heading && block.lang === lang);
  if (found.length !== 1)
    throw new Error(`${page}: expected one \`\`\`${lang} block under "${heading}", found ${found.length}`);
  return found[0]!;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a page defines, with GitHub's -1, -2 suffixes for repeated headings. */
export function anchors(page: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  let inFence = false;
  for (const line of readPage(page).split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    if (inFence || !/^#{1,6} /.test(line)) continue;
    const base = slug(line.replace(/^#+ /, '').trim());
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

export interface Link {
  page: string;
  line: number;
  target: string;
}

/** Relative links (`[text](path#anchor)`, `](#anchor)`) outside code, as written. */
export function relativeLinks(page: string): Link[] {
  const links: Link[] = [];
  let inFence = false;
  readPage(page)
    .split('\n')
    .forEach((text, index) => {
      if (text.startsWith('```')) inFence = !inFence;
      if (inFence) return;
      const prose = text.replace(/`[^`]*`/g, (code) => code.replace(/[[\]()]/g, ' '));
      for (const match of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1]!;
        if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push({ page, line: index + 1, target });
      }
    });
  return links;
}
