/**
 * Sections of BENCHMARKS.md that their own bench writes in place, between
 * `<!-- section:NAME -->` and `<!-- /section:NAME -->`, instead of through results.json: a
 * re-render of the rest (renderReport) keeps them, and writing one needs no earlier results.
 */
import fs from 'node:fs';

const open = (name: string) => `<!-- section:${name} -->`;
const close = (name: string) => `<!-- /section:${name} -->`;

function read(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

/** Every marked section of `text`, markers included, in order. */
export function markedSections(text: string): string[] {
  return [...text.matchAll(/<!-- section:([\w-]+) -->[\s\S]*?<!-- \/section:\1 -->/g)].map(
    (m) => m[0],
  );
}

/** Replaces (or appends) section `name` of `file` with `lines`. */
export function spliceSection(file: string, name: string, lines: string[]): void {
  const block = [open(name), '', ...lines, close(name)].join('\n');
  const text = read(file);
  const at = text.indexOf(open(name));
  const end = text.indexOf(close(name));
  const next =
    at >= 0 && end > at
      ? text.slice(0, at) + block + text.slice(end + close(name).length)
      : `${text.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, next);
}

/** `rendered` with the marked sections of the current `file` appended (a full re-render keeps them). */
export function keepMarkedSections(file: string, rendered: string): string {
  const kept = markedSections(read(file));
  return kept.length === 0 ? rendered : `${rendered.trimEnd()}\n\n${kept.join('\n\n')}\n`;
}
