// Screen geometry as pure functions, so 80x24 and large terminals are tested without a terminal.

/** Lines of the screen the app draws: one less than the terminal, so Ink never scrolls or clears. */
export function drawableRows(terminalRows: number): number {
  return Math.max(8, terminalRows - 1);
}

/**
 * Splits `total` lines between blocks that each want `needs[i]` lines, giving every block at least
 * `min` (when there is room) and sharing what is left in turn, so no block starves another.
 */
export function allocateHeights(needs: readonly number[], total: number, min = 3): number[] {
  const n = needs.length;
  if (n === 0) return [];
  const floor = Math.min(min, Math.floor(total / n));
  const out = needs.map((need) => Math.min(need, floor));
  let left = total - out.reduce((a, b) => a + b, 0);
  while (left > 0) {
    let gave = false;
    for (let i = 0; i < n && left > 0; i++) {
      if (out[i]! < needs[i]!) {
        out[i]! += 1;
        left -= 1;
        gave = true;
      }
    }
    if (!gave) break;
  }
  return out;
}

/** First visible row so that `cursor` stays on screen, scrolling as late as possible. */
export function scrollOffset(cursor: number, count: number, visible: number): number {
  if (visible <= 0 || count <= visible) return 0;
  const c = Math.max(0, Math.min(cursor, count - 1));
  return Math.min(Math.max(0, c - visible + 1), count - visible);
}
