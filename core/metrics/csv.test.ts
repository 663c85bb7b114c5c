import { describe, it, expect } from 'vitest';
import { parseMetricsCsv } from './csv.js';
import { parseDuration, parseTimestamp, seriesKey, metricProblem } from './model.js';

describe('parseMetricsCsv', () => {
  it('reads timestamp,value with the name given by the caller', () => {
    const pts = parseMetricsCsv('timestamp,value\n2014-02-14 14:30:00,0.132\n1392388500,0.134\n', { name: 'cpu', tags: { host: 'a' } });
    expect(pts).toEqual([
      { name: 'cpu', value: 0.132, at: Date.parse('2014-02-14T14:30:00Z'), tags: { host: 'a' } },
      { name: 'cpu', value: 0.134, at: 1392388500_000, tags: { host: 'a' } },
    ]);
  });

  it('reads timestamp,name,value,tags with tags as k=v;k=v', () => {
    const pts = parseMetricsCsv('timestamp,name,value,tags\n2026-01-01T00:00:00Z,latency_ms,12.5,service=api;zone=b\n2026-01-01T00:01:00Z,errors,3,\n');
    expect(pts[0]).toMatchObject({ name: 'latency_ms', value: 12.5, tags: { service: 'api', zone: 'b' } });
    expect(pts[1]).toMatchObject({ name: 'errors', value: 3, tags: {} });
  });

  it('names the line of the first bad row, and returns nothing', () => {
    const text = 'timestamp,value\n1,1\n2,2\nnot-a-time,3\n4,x\n';
    expect(() => parseMetricsCsv(text, { name: 'm' })).toThrow(/^line 4: timestamp "not-a-time"/);
    expect(() => parseMetricsCsv('timestamp,value\n1,1\n2,\n', { name: 'm' })).toThrow(/^line 3: value/);
  });

  it('refuses names and tags that could mean something to a shell', () => {
    expect(() => parseMetricsCsv('timestamp,name,value\n1,$(reboot),1\n')).toThrow(/^line 2: metric name/);
    expect(() => parseMetricsCsv('timestamp,name,value,tags\n1,ok,1,`x`=1\n')).toThrow(/^line 2: tag key/);
  });

  it('needs a known header, and a name for the two-column form', () => {
    expect(() => parseMetricsCsv('a,b\n1,2\n', { name: 'm' })).toThrow(/^line 1/);
    expect(() => parseMetricsCsv('timestamp,value\n1,2\n')).toThrow(/--name/);
  });
});

describe('metric helpers', () => {
  it('keys a series by name and sorted tags', () => {
    expect(seriesKey('cpu', { zone: 'b', host: 'a' })).toBe('cpu{host=a,zone=b}');
    expect(seriesKey('cpu', {})).toBe('cpu');
  });

  it('parses durations and times', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('1w')).toBe(604_800_000);
    expect(parseDuration('soon')).toBeNull();
    expect(parseTimestamp('2026-11-25T10:00:00+01:00')).toBe(Date.parse('2026-11-25T09:00:00Z'));
    expect(parseTimestamp('yesterday')).toBeNull();
  });

  it('accepts ordinary names', () => {
    expect(metricProblem('http_requests:rate5m', { 'k8s.pod': 'api-1' })).toBeNull();
  });
});
