/**
 * `{{…}}` templates in playbook fields. A template renders to exactly one string: an argv item stays one
 * argv item whatever the substituted value holds (spaces, quotes, `;`), because nothing downstream ever
 * hands the result to a shell.
 */

/** The names a template may start with. */
export const TEMPLATE_ROOTS = ['issue', 'action', 'playbook', 'steps', 'target'] as const;

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'ref'; path: string[]; source: string };

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Raised while rendering when a referenced value does not exist: we never substitute an empty string. */
export class MissingValueError extends Error {
  constructor(readonly path: string) {
    super(`no value for {{${path}}}`);
    this.name = 'MissingValueError';
  }
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Splits a field into text and references; throws TemplateError on malformed or unknown references. */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      parts.push({ kind: 'text', text: text.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: 'text', text: text.slice(i, open) });
    const close = text.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateError(`unclosed "{{" at character ${open + 1}`);
    const source = text.slice(open + 2, close).trim();
    if (source.includes('{{')) throw new TemplateError(`nested "{{" at character ${open + 1}`);
    if (source === '') throw new TemplateError(`empty "{{}}" at character ${open + 1}`);
    const path = source.split('.');
    if (!path.every((s) => SEGMENT.test(s))) throw new TemplateError(`"{{${source}}}" is not a dotted name`);
    if (!(TEMPLATE_ROOTS as readonly string[]).includes(path[0]!)) {
      throw new TemplateError(`"{{${source}}}" must start with one of ${TEMPLATE_ROOTS.join(', ')}`);
    }
    if (path[0] === 'steps' && path.length < 3) {
      throw new TemplateError(`"{{${source}}}" must name a step and a field, e.g. steps.restart.stdout`);
    }
    parts.push({ kind: 'ref', path, source });
    i = close + 2;
  }
  return parts;
}

/** Ids of the steps a field refers to through `{{steps.<id>.…}}`. */
export function stepRefs(text: string): string[] {
  return parseTemplate(text).flatMap((p) => (p.kind === 'ref' && p.path[0] === 'steps' ? [p.path[1]!] : []));
}

export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

function lookup(ctx: unknown, path: string[]): unknown {
  let cur: unknown = ctx;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

export interface RenderOptions {
  /** Dry runs show what is missing instead of failing. */
  onMissing?: (path: string) => string;
  /** Applied to each substituted value (URLs encode them, so a label cannot add a path or a query). */
  encode?: (value: string) => string;
}

/** Renders one field into one string. */
export function renderTemplate(text: string, ctx: unknown, opts: RenderOptions = {}): string {
  if (!hasTemplate(text)) return text;
  let out = '';
  for (const part of parseTemplate(text)) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const value = lookup(ctx, part.path);
    if (value === undefined || value === null) {
      if (opts.onMissing) out += opts.onMissing(part.source);
      else throw new MissingValueError(part.source);
    } else {
      out += opts.encode ? opts.encode(stringify(value)) : stringify(value);
    }
  }
  return out;
}
