import { describe, expect, it } from 'vitest';
import { ibanValid, ipv6Valid, luhnValid } from './checks.js';
import { maskDeep, maskText, StreamMasker } from './mask.js';

describe('maskText', () => {
  it('replaces each sensitive value by its kind and reports where it was', () => {
    const r = maskText('mail jane.doe@example.com from 10.1.2.3 with card 4111 1111 1111 1111');
    expect(r.text).toBe('mail [EMAIL] from [IP] with card [CARD]');
    expect(r.findings.map((f) => f.kind)).toEqual(['email', 'ip', 'card']);
  });

  it('keeps the name of a secret and hides its value', () => {
    expect(maskText('DB_PASSWORD=s3cr3t-Value').text).toBe('DB_PASSWORD=[SECRET]');
    expect(maskText('Authorization: Bearer abcdef0123456789abcdef').text).toBe('Authorization: Bearer [TOKEN]');
    expect(maskText('postgres://app:hunter22@db:5432/x').text).toBe('postgres://app:[SECRET]@db:5432/x');
  });

  it('handles the shapes people actually paste', () => {
    const cases: Array<[string, string]> = [
      ['reach me on +44 (0) 20 7946 0958 please', 'reach me on [PHONE] please'],
      ['ssh root@10.0.0.5', 'ssh root@[IP]'],
      ['iban de89 3704 0044 0532 0130 00', 'iban [IBAN]'],
      ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS_SECRET_ACCESS_KEY=[CLOUD_KEY]'],
      ['Authorization: token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789', 'Authorization: token [API_KEY]'],
      ['DefaultEndpointsProtocol=https;AccountName=x;AccountKey=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy==;', 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=[CLOUD_KEY];'],
      ['listen [2001:DB8::1]:443', 'listen [[IP]]:443'],
    ];
    for (const [input, want] of cases) expect(maskText(input).text, input).toBe(want);
  });

  it('leaves entity ids, versions, dates and Luhn-invalid numbers alone', () => {
    const text = 'task tsk_0k3x9ab12cdefghjk v1.2.3 at 2026-11-25 14:03 card 4111 1111 1111 1112';
    expect(maskText(text).text).toBe(text);
  });
});

describe('maskDeep', () => {
  it('masks strings at any depth and whole values under secret-named keys', () => {
    const { value, count } = maskDeep({ member: { email: 'a@example.com', token: 'plain' }, notes: ['call +44 20 7946 0958'], n: 3 });
    expect(value).toEqual({ member: { email: '[EMAIL]', token: '[SECRET]' }, notes: ['call [PHONE]'], n: 3 });
    expect(count).toBe(3);
  });
});

describe('StreamMasker', () => {
  it('never shows a value that arrives split across pieces', () => {
    const pieces = ['Call ', '+44 20 ', '7946 ', '0958 or write ', 'jane', '@example.com ', 'today, thanks a lot friend.'];
    const m = new StreamMasker();
    let shown = '';
    for (const p of pieces) {
      shown += m.push(p);
      expect(shown).not.toMatch(/7946|jane@/);
    }
    shown += m.flush();
    expect(shown).toBe('Call [PHONE] or write [EMAIL] today, thanks a lot friend.');
  });
});

describe('checks', () => {
  it('Luhn, IBAN mod-97 and IPv6 parsing', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE88370400440532013000')).toBe(false);
    expect(ipv6Valid('2001:db8::1')).toBe(true);
    expect(ipv6Valid('12:30:45')).toBe(false);
    expect(ipv6Valid('00:1A:2B:3C:4D:5E')).toBe(false);
  });
});
