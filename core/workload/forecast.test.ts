import { describe, expect, it } from 'vitest';
import { fitHoltWinters, fitModel, forecastHoltWinters, mape, selectModel } from './holt-winters.js';
import { forecastTeam, MIN_HISTORY_DAYS } from './forecast.js';
import { resolveProfile } from './profile.js';
import { member } from './test-helpers.js';

// Weekdays busy, weekends quiet, slowly growing, with deterministic noise.
function weekly(n: number, base = 20): number[] {
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 4;
  return Array.from({ length: n }, (_, i) => {
    const weekday = (i + 4) % 7; // day 0 is a Thursday
    const s = weekday === 0 || weekday === 6 ? -14 : 3;
    return Math.max(0, Math.round(base + s + i * 0.05 + noise()));
  });
}

const team = [1, 2, 3].map((i) => resolveProfile(member(`m${i}`)));

describe('Holt-Winters', () => {
  it('learns a weekly pattern well enough to beat 15% error on held-out days', () => {
    const y = weekly(70);
    const fit = fitHoltWinters(y.slice(0, 56));
    const err = mape(y.slice(56), forecastHoltWinters(fit, 14));
    expect(err).not.toBeNull();
    expect(err!).toBeLessThan(15);
  });

  it('picks multiplicative seasonality for a growing team whose weekends stay a quarter of its weekdays', () => {
    // day 0 is a Thursday; weekdays grow from 8 to ~36, weekends are a quarter of that.
    const y = Array.from({ length: 70 }, (_, i) => {
      const weekday = (i + 4) % 7;
      const level = 8 + (28 * i) / 70;
      return Math.round(level * (weekday === 0 || weekday === 6 ? 0.25 : 1));
    });
    const train = y.slice(0, 56);
    expect(selectModel(train)).toBe('holt-winters-multiplicative');
    const mult = mape(y.slice(56), fitModel(train, 7, 'holt-winters-multiplicative').forecast(14))!;
    const add = mape(y.slice(56), fitModel(train, 7, 'holt-winters-additive').forecast(14))!;
    expect(mult).toBeLessThan(add);
    expect(mult).toBeLessThan(10);
  });

  it('never forecasts negative volume', () => {
    const fit = fitHoltWinters([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0]);
    expect(forecastHoltWinters(fit, 14).every((v) => v >= 0)).toBe(true);
  });

  it('leaves days with no actual tasks out of MAPE instead of dividing by zero', () => {
    expect(mape([0, 10], [5, 5])).toBe(50);
    expect(mape([0, 0], [1, 1])).toBeNull();
  });
});

describe('team capacity forecast', () => {
  it('says there is too little history instead of printing numbers', () => {
    const f = forecastTeam({ teamId: 't', counts: weekly(MIN_HISTORY_DAYS - 1), lastDay: '2026-03-20', horizonDays: 14, members: team });
    expect(f.status).toBe('insufficient_history');
    expect(f.message).toMatch(/too little history: 20 days/);
    expect(f.days).toEqual([]);
    expect(f.mape).toBeNull();
  });

  it('forecasts N days with a measured MAPE and a seasonal-naive baseline', () => {
    const f = forecastTeam({ teamId: 't', counts: weekly(84), lastDay: '2026-03-25', horizonDays: 14, members: team, hoursPerTask: 2 });
    expect(f.status).toBe('ok');
    expect(f.days).toHaveLength(14);
    expect(f.days[0]!.day).toBe('2026-03-26');
    expect(f.holdoutDays).toBe(14);
    expect(f.mape).toBeLessThan(15);
    expect(f.baselineMape).not.toBeNull();
    expect(f.model).toMatch(/^(holt-winters-(additive|multiplicative)|seasonal-naive)$/);
  });

  it('shows a shortfall when inbound work exceeds what the members can take', () => {
    // Three members × 8 h ÷ 2 h per task = 12 tasks a weekday, against ~23 inbound.
    const f = forecastTeam({ teamId: 't', counts: weekly(84), lastDay: '2026-03-25', horizonDays: 7, members: team, hoursPerTask: 2 });
    const weekday = f.days.find((d) => d.day === '2026-03-26')!; // a Thursday
    expect(weekday.capacity).toBe(12);
    expect(weekday.shortfall).toBeGreaterThan(5);
    expect(f.shortDays).toBeGreaterThan(0);
    expect(f.message).toMatch(/short of capacity/);
  });

  it('does not call weekend inbound a shortfall when the next working day absorbs it', () => {
    // Four tasks every day, weekends included; twelve a weekday can be handled.
    const f = forecastTeam({ teamId: 't', counts: new Array(84).fill(4), lastDay: '2026-03-25', horizonDays: 14, members: team, hoursPerTask: 2 });
    const saturday = f.days.find((d) => d.day === '2026-03-28')!;
    expect(saturday.capacity).toBe(0);
    expect(saturday.shortfall).toBe(0);
    expect(saturday.backlog).toBe(4);
    expect(f.shortDays).toBe(0);
    expect(f.message).toMatch(/within capacity/);
  });

  it('uses a default effort per task when history cannot tell, and says so', () => {
    const f = forecastTeam({ teamId: 't', counts: weekly(30), lastDay: '2026-03-25', horizonDays: 3, members: team, hoursPerTask: null });
    expect(f.hoursPerTaskSource).toBe('default');
  });
});
