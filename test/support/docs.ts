import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import GithubSlugger from 'github-slugger';

/** The repository's root, which every page path below is relative to. */
export const repositoryRoot = path.join(import.meta.dirname, '..', '..');

/** The text of a documentation page: 'README.md', 'CONTRIBUTING.md', 'docs/operations.md'… */
export const docText = (page: string): string => readFileSync(path.join(repositoryRoot, page), 'utf8');

/** Every Markdown page of the documentation: README.md, CONTRIBUTING.md, CHANGELOG.md and docs/ (recipes included). */
export const docPages = (): string[] => [
  'README.md',
  'CONTRIBUTING.md',
  'CHANGELOG.md',
  ...readdirSync(path.join(repositoryRoot, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`)
    .sort(),
];

/** A page's headings outside fenced code (a shell comment is no heading): level, text and line index. */
export const headings = (text: string): { level: number; text: string; line: number }[] => {
  let fenced = false;
  const found: { level: number; text: string; line: number }[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.startsWith('```')) fenced = !fenced;
    const match = fenced ? null : /^(#{1,6}) (.+)$/.exec(line);
    if (match) found.push({ level: match[1].length, text: match[2].trim(), line: index });
  });
  return found;
};

/** The anchors GitHub gives a page's headings (and any id="…" it writes itself). */
export const anchors = (text: string): Set<string> => {
  const slugger = new GithubSlugger();
  const ids = headings(text).map((h) => slugger.slug(h.text.replace(/<[^>]+>/g, '')));
  return new Set([...ids, ...[...text.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1])]);
};

/**
 * The section of `page` under the heading `heading` (its text, whatever its level): from the heading's line to the
 * next heading of the same or a higher level. Throws, naming the page's headings, when the page has no such heading,
 * so a test reading a section that moved fails loudly instead of reading nothing.
 */
export const docSection = (page: string, heading: string): string => {
  const text = docText(page);
  const all = headings(text);
  const at = all.findIndex((h) => h.text === heading);
  if (at < 0) throw new Error(`${page} has no heading "${heading}"; its headings: ${all.map((h) => h.text).join(' | ')}`);
  const next = all.slice(at + 1).find((h) => h.level <= all[at].level);
  const lines = text.split('\n');
  return lines.slice(all[at].line, next ? next.line : lines.length).join('\n');
};
