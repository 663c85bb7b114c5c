import { describe, it, expect } from 'vitest';
import { scanCsv } from './scan.js';
import { AppError } from '../../errors.js';

function csv(values: number[]): string {
  return `timestamp,value\n${values.map((v, i) => `${1_700_000_000 + i * 300},${v}`).join('\n')}\n`;
}

describe('scanCsv', () => {
  it('writes one scored row per input row, timestamps and values untouched', () => {
    const values = Array.from({ length: 400 }, (_, i) => 10 + (i % 7));
    const out = scanCsv(csv(values)).csv.trim().split('\n');
    expect(out[0]).toBe('timestamp,value,anomaly_score');
    expect(out).toHaveLength(401);
    const [ts, v, score] = out[5]!.split(',');
    expect(ts).toBe(String(1_700_000_000 + 4 * 300));
    expect(v).toBe('14');
    expect(Number(score)).toBeGreaterThanOrEqual(0);
  });

  it('accepts ISO timestamps and CRLF line ends', () => {
    const text = 'timestamp,value\r\n2014-02-14 14:30:00,0.132\r\n2014-02-14T14:35:00Z,0.134\r\n';
    expect(scanCsv(text).rows).toBe(2);
  });

  it('names the line of a bad value', () => {
    const text = 'timestamp,value\n1,2\n2,3\n3,abc\n';
    expect(() => scanCsv(text)).toThrow(/line 4/);
    try {
      scanCsv(text);
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).kind).toBe('usage');
    }
  });

  it('names the line of a row with the wrong number of columns', () => {
    expect(() => scanCsv('timestamp,value\n1,2\n2,3,4\n')).toThrow(/line 3/);
  });

  it('refuses a file without the timestamp,value header', () => {
    expect(() => scanCsv('time,val\n1,2\n')).toThrow(/line 1/);
  });
});
