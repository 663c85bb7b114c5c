/**
 * Additive Holt-Winters with a damped trend and weekly seasonality. Parameters are chosen by grid
 * search on one-step-ahead squared error; damping keeps a short trend from running away over a
 * two-week horizon.
 */

export interface HwParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

export interface HwFit {
  params: HwParams;
  level: number;
  trend: number;
  /** Seasonal terms indexed by position in the season of the next step: season[(n + h - 1) % m]. */
  season: number[];
  /** One-step-ahead residual standard deviation. */
  sigma: number;
  n: number;
  m: number;
}

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
const BETAS = [0, 0.05, 0.1, 0.2];
const GAMMAS = [0.05, 0.1, 0.2, 0.3, 0.5];
const PHIS = [0.8, 0.9, 0.98];

function run(y: readonly number[], m: number, p: HwParams): { sse: number; count: number; level: number; trend: number; season: number[] } {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < m; i++) {
    s1 += y[i]!;
    s2 += y[i + m]!;
  }
  s1 /= m;
  s2 /= m;
  let level = s1;
  let trend = (s2 - s1) / m;
  const season = new Array<number>(m);
  for (let i = 0; i < m; i++) season[i] = y[i]! - s1;
  // The first season seeds the state; fitting starts after it.
  let sse = 0;
  let count = 0;
  for (let t = m; t < y.length; t++) {
    const si = t % m;
    const forecast = level + p.phi * trend + season[si]!;
    const err = y[t]! - forecast;
    sse += err * err;
    count++;
    const prevLevel = level;
    level = p.alpha * (y[t]! - season[si]!) + (1 - p.alpha) * (prevLevel + p.phi * trend);
    trend = p.beta * (level - prevLevel) + (1 - p.beta) * p.phi * trend;
    season[si] = p.gamma * (y[t]! - level) + (1 - p.gamma) * season[si]!;
  }
  return { sse, count, level, trend, season };
}

/** Fits the model; needs at least two full seasons. */
export function fitHoltWinters(y: readonly number[], m = 7): HwFit {
  if (y.length < 2 * m) throw new RangeError(`Holt-Winters needs at least ${2 * m} points, got ${y.length}`);
  let best: { p: HwParams; sse: number } | null = null;
  for (const alpha of ALPHAS)
    for (const beta of BETAS)
      for (const gamma of GAMMAS)
        for (const phi of PHIS) {
          const p = { alpha, beta, gamma, phi };
          const { sse } = run(y, m, p);
          if (!best || sse < best.sse) best = { p, sse };
        }
  const final = run(y, m, best!.p);
  // Season state is indexed by absolute position mod m; rotate it so index 0 is the next step.
  const n = y.length;
  const season = Array.from({ length: m }, (_, i) => final.season[(n + i) % m]!);
  return {
    params: best!.p,
    level: final.level,
    trend: final.trend,
    season,
    sigma: final.count > 0 ? Math.sqrt(final.sse / final.count) : 0,
    n,
    m,
  };
}

/** Forecast h steps ahead; counts cannot be negative, so forecasts are floored at zero. */
export function forecastHoltWinters(fit: HwFit, h: number): number[] {
  const out: number[] = [];
  let damp = 0;
  let phiPow = 1;
  for (let k = 1; k <= h; k++) {
    phiPow *= fit.params.phi;
    damp += phiPow;
    const v = fit.level + damp * fit.trend + fit.season[(k - 1) % fit.m]!;
    out.push(Math.max(0, v));
  }
  return out;
}

/** Mean absolute percentage error in %, over points whose actual value is not zero; null if none. */
export function mape(actual: readonly number[], predicted: readonly number[]): number | null {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    if (a === 0) continue;
    sum += Math.abs(a - predicted[i]!) / Math.abs(a);
    count++;
  }
  return count === 0 ? null : (sum / count) * 100;
}
