// Table geometry as pure functions: which columns fit a width, and how wide each one is.

export type Tone = 'normal' | 'ok' | 'warn' | 'bad' | 'dim' | 'accent';

/** A cell is text, or a function of the width it gets (bars and sparklines scale). */
export type Cell = string | ((width: number) => string);

export interface Column {
  readonly title: string;
  /** Fixed width; for a growing column, the least it needs before other columns are dropped. */
  readonly width: number;
  /** Takes the width left over by the fixed columns. */
  readonly grow?: boolean;
  readonly align?: 'left' | 'right';
  /** Dropped first when the terminal is too narrow; lower drops earlier. */
  readonly drop?: number;
}

export interface Row {
  readonly key: string;
  readonly cells: readonly Cell[];
  readonly tone?: Tone;
}

export interface FittedColumn extends Column {
  readonly index: number;
  readonly fitted: number;
}

const GAP = 1;

/** Picks the columns that fit `total` columns of text and gives each its width. */
export function fitColumns(columns: readonly Column[], total: number): FittedColumn[] {
  let kept = columns.map((c, index) => ({ ...c, index }));
  const need = (cs: typeof kept) =>
    cs.reduce((sum, c) => sum + c.width, 0) + GAP * Math.max(0, cs.length - 1);
  while (need(kept) > total) {
    const droppable = kept.filter((c) => c.drop !== undefined);
    if (droppable.length === 0) break;
    const first = droppable.reduce((a, b) => ((b.drop ?? 0) < (a.drop ?? 0) ? b : a));
    kept = kept.filter((c) => c !== first);
  }
  const fixed = kept.filter((c) => !c.grow).reduce((s, c) => s + c.width, 0);
  const gaps = GAP * Math.max(0, kept.length - 1);
  const growers = kept.filter((c) => c.grow).length;
  const spare = Math.max(0, total - fixed - gaps);
  let left = spare;
  return kept.map((c) => {
    if (!c.grow) return { ...c, fitted: c.width };
    const share = growers > 0 ? Math.floor(spare / growers) : 0;
    const w = Math.max(1, Math.min(left, share));
    left -= w;
    return { ...c, fitted: w };
  });
}

export function cellText(cell: Cell, width: number): string {
  return typeof cell === 'function' ? cell(width) : cell;
}

/** One table line of exactly the fitted width. */
export function layoutLine(cells: readonly Cell[], fitted: readonly FittedColumn[]): string {
  return fitted
    .map((c) => {
      const text = cellText(cells[c.index] ?? '', c.fitted);
      const cut = text.length > c.fitted ? (c.fitted <= 1 ? '…' : `${text.slice(0, c.fitted - 1)}…`) : text;
      return c.align === 'right' ? cut.padStart(c.fitted) : cut.padEnd(c.fitted);
    })
    .join(' '.repeat(GAP));
}

export function headerLine(fitted: readonly FittedColumn[]): string {
  return layoutLine(fitted.map((c) => c.title), fitted.map((c, i) => ({ ...c, index: i })));
}

/** Case-insensitive match of every word of `filter` against a row's text. */
export function rowMatches(row: Row, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = row.cells.map((c) => (typeof c === 'string' ? c : '')).join(' ').toLowerCase() + ' ' + row.key.toLowerCase();
  return words.every((w) => text.includes(w));
}
