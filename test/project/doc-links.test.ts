// Every relative link of the README, CONTRIBUTING and docs/ leads somewhere: the file exists and, for
// `page.md#anchor`, the page has that heading (GitHub's slug) or an explicit `<a id>`. Moving text
// between pages must move its links' targets too.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/prober.ts';

/** The Markdown files whose links are checked: the README, CONTRIBUTING and everything under docs/. */
function pages(): string[] {
  const found = ['README.md', 'CONTRIBUTING.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) found.push(path);
    }
  };
  walk('docs');
  return found;
}

/** The text outside fenced code blocks and code spans, where a `[x](y)` is a link. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchor (github-slugger): lower case, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a page offers: its headings' slugs (repeats numbered as GitHub does) and `<a id="…">`. */
function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
  for (const m of withoutCode.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(m[1] ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    found.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of markdown.matchAll(/<a id="([^"]+)"/g)) found.add(m[1] ?? '');
  return found;
}

t.test('the slug of a heading is what GitHub makes of it', async (t) => {
  t.equal(slug('The local lab (`prober lab`)'), 'the-local-lab-prober-lab');
  t.equal(
    slug('Simulating a live cluster (`--cluster`, `--context`, `--kubeconfig`)'),
    'simulating-a-live-cluster---cluster---context---kubeconfig',
  );
  t.equal(slug('What `!`, `target-down` and `liveness` mean'), 'what--target-down-and-liveness-mean');
});

t.test('the pages are found (docs/ must not be empty to this test)', async (t) => {
  const all = pages();
  for (const page of ['README.md', 'docs/cli.md', 'docs/outcomes.md', 'docs/cluster.md'])
    t.ok(all.includes(page), page);
});

t.test('every relative link leads to a file, and every anchor to a heading', async (t) => {
  let links = 0;
  for (const page of pages()) {
    const text = readFileSync(join(ROOT, page), 'utf8');
    for (const m of prose(text).matchAll(/\]\(([^)\s]+)(?: "[^"]*")?\)/g)) {
      const target = m[1] ?? '';
      if (/^(https?:|mailto:)/.test(target)) continue;
      links += 1;
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? join(ROOT, page) : join(ROOT, dirname(page), decodeURIComponent(path));
      const shown = relative(ROOT, file);
      if (!existsSync(file)) {
        t.fail(`${page}: link ${target}: ${shown} does not exist`);
        continue;
      }
      if (anchor === undefined || anchor === '' || !statSync(file).isFile() || !file.endsWith('.md')) continue;
      t.ok(anchors(readFileSync(file, 'utf8')).has(anchor), `${page}: link ${target}: ${shown} has #${anchor}`);
    }
  }
  t.ok(links > 50, `links were found (${links})`);
});
