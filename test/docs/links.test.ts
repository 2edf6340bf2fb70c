// Every relative link in README.md, docs/*.md, SECURITY.md and BENCHMARKS.md points at a file that
// exists and, when it names one, at a heading that page has.
import assert from 'node:assert/strict';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import { anchors, documentationPages, pageExists, readPage, relativeLinks, slug } from './markdown.js';

// Pages the README links to that are written alongside the docs split and may land separately.
const LINKED_BEFORE_WRITTEN = new Set(['docs/doctor.md', 'docs/support.md']);

describe('documentation links', () => {
  const pages = [...documentationPages(), 'SECURITY.md', 'BENCHMARKS.md'];

  it('GitHub anchors are derived as GitHub derives them', () => {
    assert.equal(slug('`widget install`: the Page Builder widget'), 'widget-install-the-page-builder-widget');
    assert.equal(slug('Server: `node:http`'), 'server-nodehttp');
    assert.equal(slug("Every state's text shows at once"), 'every-states-text-shows-at-once');
    assert.equal(slug('2. The server verifies it'), '2-the-server-verifies-it');
  });

  it('every relative link resolves to an existing file and heading', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const page of pages) {
      for (const link of relativeLinks(page)) {
        const [path = '', anchor] = link.target.split('#');
        const target = path === '' ? page : normalize(join(dirname(page), decodeURI(path)));
        const where = `${link.page}:${link.line} → ${link.target}`;
        checked++;
        if (!pageExists(target)) {
          if (!LINKED_BEFORE_WRITTEN.has(target)) broken.push(`${where}: no file ${target}`);
          continue;
        }
        if (anchor !== undefined && target.endsWith('.md') && !anchors(target).has(anchor)) {
          broken.push(`${where}: ${target} has no heading #${anchor}`);
        }
      }
    }
    assert.ok(checked >= 40, `only ${checked} links checked`);
    assert.deepEqual(broken, []);
  });

  it('no page repeats a section heading or ships a placeholder', () => {
    for (const page of pages) {
      const text = readPage(page);
      const sections = text.split('\n').filter((line) => line.startsWith('## '));
      const repeated = sections.filter((line, index) => sections.indexOf(line) !== index);
      assert.deepEqual(repeated, [], `${page} repeats a section`);
      assert.doesNotMatch(text, /being written|to be written|\bTODO\b|\bTBD\b/i, page);
    }
  });

  it('the README links every docs page', () => {
    const linked = new Set(relativeLinks('README.md').map((link) => link.target.split('#')[0]));
    for (const page of documentationPages().filter((p) => p !== 'README.md'))
      assert.ok(linked.has(page), `README does not link ${page}`);
    for (const page of LINKED_BEFORE_WRITTEN) assert.ok(linked.has(page), `README does not link ${page}`);
  });
});
