import { useEffect, useState } from 'react';

/**
 * "Now" for ages on screen. It ticks slowly on purpose: ages are shown in seconds only for the
 * first minute, and an idle dashboard should cost next to no CPU.
 */
export function useClock(clock: () => number, everyMs: number): number {
  const [now, setNow] = useState(clock);
  useEffect(() => {
    const t = setInterval(() => setNow(clock()), everyMs);
    t.unref?.();
    return () => clearInterval(t);
  }, [clock, everyMs]);
  return now;
}
