/**
 * Confidence calibration by temperature scaling (Guo et al., 2017): one number T, fitted on held-out
 * items to minimise negative log-likelihood, turns raw scores into probabilities that match how often
 * the top answer is right.
 */

export function softmax(scores: ArrayLike<number>, temperature: number): Float64Array {
  const out = new Float64Array(scores.length);
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i]!);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const e = Math.exp((scores[i]! - max) / temperature);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Mean negative log-likelihood of the true labels under softmax(scores / T). */
export function nll(scores: readonly ArrayLike<number>[], labels: readonly number[], temperature: number): number {
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = softmax(scores[i]!, temperature)[labels[i]!] ?? 0;
    total -= Math.log(Math.max(p, 1e-12));
  }
  return total / Math.max(1, scores.length);
}

/** The T in [0.01, 20] with the least NLL, by golden-section search on log T (NLL is unimodal in T). */
export function fitTemperature(scores: readonly ArrayLike<number>[], labels: readonly number[]): number {
  if (scores.length === 0) return 1;
  let lo = Math.log(0.01);
  let hi = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = nll(scores, labels, Math.exp(a));
  let fb = nll(scores, labels, Math.exp(b));
  for (let it = 0; it < 40; it++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - g * (hi - lo);
      fa = nll(scores, labels, Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + g * (hi - lo);
      fb = nll(scores, labels, Math.exp(b));
    }
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * Expected calibration error: the gap between confidence and accuracy, averaged over `bins` equal-width
 * confidence bins weighted by how many predictions fall in each.
 */
export function expectedCalibrationError(confidences: readonly number[], correct: readonly boolean[], bins = 10): number {
  const count = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const acc = new Array<number>(bins).fill(0);
  confidences.forEach((c, i) => {
    const b = Math.min(bins - 1, Math.floor(c * bins));
    count[b]!++;
    conf[b]! += c;
    if (correct[i]) acc[b]!++;
  });
  let e = 0;
  for (let b = 0; b < bins; b++) if (count[b]! > 0) e += Math.abs(conf[b]! - acc[b]!) / confidences.length;
  return e;
}
