import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { AppError } from '../../errors.js';
import { playbookSchema, type PlaybookSpec, type Step } from './schema.js';
import { stepRefs } from './template.js';

/** One reason a playbook was refused, located like `steps[2].argv`. */
export interface PlaybookProblem {
  path: string;
  message: string;
}

/** `['steps', 2, 'argv']` → `steps[2].argv`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out || '(root)';
}

/** Every templated string of a step, with its path below the step. */
export function stepTemplates(step: Step): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const rec = (prefix: string, obj: Record<string, string> | undefined): void => {
    for (const [k, v] of Object.entries(obj ?? {})) out.push([`${prefix}.${k}`, v]);
  };
  switch (step.type) {
    case 'exec':
      step.argv.forEach((a, i) => out.push([`argv[${i}]`, a]));
      rec('env', step.env);
      break;
    case 'http':
      out.push(['url', step.url]);
      rec('headers', step.headers);
      if (typeof step.body === 'string') out.push(['body', step.body]);
      break;
    case 'verify':
      if (step.metric !== undefined) out.push(['metric', step.metric]);
      if (step.check !== undefined) out.push(['check', step.check]);
      rec('labels', step.labels);
      break;
    case 'notify':
      out.push(['text', step.text]);
      if (step.subject !== undefined) out.push(['subject', step.subject]);
      if (step.webhook !== undefined) out.push(['webhook', step.webhook]);
      (step.to ?? []).forEach((t, i) => out.push([`to[${i}]`, t]));
      break;
    case 'approve':
      if (step.text !== undefined) out.push(['text', step.text]);
      break;
    case 'wait':
      break;
  }
  return out;
}

/**
 * The order steps run in: their declared order, except that a step runs after every step it needs or
 * refers to. Returns the problems instead when a reference is unknown or the references form a cycle.
 */
export function executionOrder(
  steps: readonly Step[],
  listName = 'steps',
  outside: ReadonlySet<string> = new Set(),
): { order: Step[]; problems: PlaybookProblem[] } {
  const problems: PlaybookProblem[] = [];
  const index = new Map<string, number>();
  steps.forEach((s, i) => index.set(s.id, i));
  const deps: number[][] = steps.map((s, i) => {
    const refs: Array<[string, string]> = s.needs.map((n, j) => [`needs[${j}]`, n]);
    for (const [at, text] of stepTemplates(s)) for (const r of stepRefs(text)) refs.push([at, r]);
    const out: number[] = [];
    for (const [at, ref] of refs) {
      const j = index.get(ref);
      if (j === undefined) {
        if (!outside.has(ref)) problems.push({ path: `${listName}[${i}].${at}`, message: `refers to unknown step "${ref}"` });
      } else if (j === i) {
        problems.push({ path: `${listName}[${i}].${at}`, message: `step "${s.id}" refers to itself` });
      } else if (!out.includes(j)) {
        out.push(j);
      }
    }
    return out;
  });
  if (problems.length > 0) return { order: [], problems };

  // Kahn's algorithm, always taking the earliest declared ready step, so declared order is kept where allowed.
  const remaining = new Set(steps.map((_, i) => i));
  const order: Step[] = [];
  while (remaining.size > 0) {
    let next = -1;
    for (const i of remaining) {
      if (deps[i]!.every((d) => !remaining.has(d))) {
        next = i;
        break;
      }
    }
    if (next < 0) {
      const cycle = [...remaining].map((i) => steps[i]!.id);
      const first = Math.min(...remaining);
      problems.push({ path: `${listName}[${first}]`, message: `steps refer to each other in a cycle: ${cycle.join(' → ')}` });
      return { order: [], problems };
    }
    remaining.delete(next);
    order.push(steps[next]!);
  }
  return { order, problems };
}

function checkIds(spec: PlaybookSpec): PlaybookProblem[] {
  const problems: PlaybookProblem[] = [];
  const seen = new Map<string, string>();
  const visit = (list: Step[], name: string): void =>
    list.forEach((s, i) => {
      const at = `${name}[${i}].id`;
      const prev = seen.get(s.id);
      if (prev) problems.push({ path: at, message: `step id "${s.id}" is already used at ${prev}` });
      else seen.set(s.id, at);
    });
  visit(spec.steps, 'steps');
  visit(spec.rollback, 'rollback');
  for (const [i, s] of spec.rollback.entries()) {
    if (s.type === 'approve') problems.push({ path: `rollback[${i}].type`, message: 'a rollback cannot wait for approval' });
  }
  return problems;
}

function zodProblems(error: z.ZodError): PlaybookProblem[] {
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: formatPath([...i.path, k]), message: `unknown field "${k}"` }))
      : [{ path: formatPath(i.path), message: i.message }],
  );
}

/** Validates a parsed document; throws one validation error listing every problem by path. */
export function validatePlaybook(doc: unknown): PlaybookSpec {
  const r = playbookSchema.safeParse(doc);
  if (!r.success) throw refused(zodProblems(r.error));
  const spec = r.data as PlaybookSpec;
  const problems = checkIds(spec);
  if (problems.length === 0) {
    problems.push(...executionOrder(spec.steps, 'steps').problems);
    const mainIds = new Set(spec.steps.map((s) => s.id));
    problems.push(...executionOrder(spec.rollback, 'rollback', mainIds).problems);
  }
  if (problems.length > 0) throw refused(problems);
  return spec;
}

/** Parses YAML or JSON text (JSON is YAML) and validates it. */
export function parsePlaybook(text: string): PlaybookSpec {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
    throw refused([{ path: '(root)', message: `not YAML or JSON${where}: ${(e as Error).message.split('\n')[0]}` }]);
  }
  return validatePlaybook(doc);
}

function refused(problems: PlaybookProblem[]): AppError {
  const shown = problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`).join('; ');
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  return new AppError('validation', `invalid playbook: ${shown}${more}`, undefined, { issues: problems });
}
