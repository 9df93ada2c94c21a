// RESULTS.md is written by three modes, each owning its part: the matrix rewrites the file,
// keeping the hand-written notes and the other modes' sections, and the cost and soak modes
// replace only their own section, between `<!-- name -->` and `<!-- /name -->`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The sections the matrix keeps across its rewrites, in the order they appear. */
export const KEPT_SECTIONS = ['cost', 'soak', 'notes'];

/** `<!-- name -->…<!-- /name -->` in `text`, markers included, or undefined. */
export function section(text, name) {
  return new RegExp(`<!-- ${name} -->[\\s\\S]*<!-- /${name} -->`).exec(text)?.[0];
}

/** The kept sections of `file` as they stand, by name. */
export function keptSections(file) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return Object.fromEntries(KEPT_SECTIONS.map((name) => [name, section(text, name)]));
}

/**
 * Writes `body` as the section `name` of `file`: in place of the old one, else before the first
 * kept section that follows it in KEPT_SECTIONS, else at the end.
 */
export function writeSection(file, name, body) {
  const block = `<!-- ${name} -->\n${body.trim()}\n<!-- /${name} -->`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const old = section(text, name);
  if (old) text = text.replace(old, () => block);
  else {
    const next = KEPT_SECTIONS.slice(KEPT_SECTIONS.indexOf(name) + 1)
      .map((later) => text.indexOf(`<!-- ${later} -->`))
      .find((at) => at >= 0);
    text =
      next === undefined
        ? `${text.trimEnd()}\n\n${block}\n`
        : `${text.slice(0, next)}${block}\n\n${text.slice(next)}`;
  }
  writeFileSync(file, text.startsWith('\n') ? text.trimStart() : text);
}
