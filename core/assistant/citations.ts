/** Entity ids as core/ids.ts makes them: `prefix_` + 17 base-34 characters. */
const ID_RE = /\b[a-z]{2,5}_[0-9a-z]{17}\b/g;

/** Every entity id found in a value (tool results). */
export function collectIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(ID_RE)) into.add(m[0]);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return into;
}

/**
 * The ids an answer rests on: those it names that the tools really returned (so an invented id
 * is never cited); when it names none, the ids the tools returned, up to `max`.
 */
export function citeIds(answer: string, known: Set<string>, max = 10): string[] {
  const named = [...new Set([...answer.matchAll(ID_RE)].map((m) => m[0]))].filter((id) => known.has(id));
  if (named.length > 0) return named;
  return [...known].slice(0, max);
}
