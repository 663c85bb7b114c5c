import { cardNetworkValid, IBAN_LENGTHS, ibanValid, ipv4Valid, ipv6Valid, luhnValid } from './checks.js';

/** What kind of sensitive value a span is; the placeholder shows it as `[KIND]`. */
export type MaskKind =
  | 'private_key'
  | 'jwt'
  | 'cloud_key'
  | 'api_key'
  | 'token'
  | 'secret'
  | 'email'
  | 'card'
  | 'iban'
  | 'ip'
  | 'phone';

export interface Detector {
  kind: MaskKind;
  /** Global regex; the span masked is `group` (default: the whole match). */
  re: RegExp;
  group?: number;
  /** A match must pass this (checksum, parser, context) to count. */
  accept?: (value: string, text: string, start: number, match: RegExpMatchArray) => boolean;
  /** For values whose end the regex cannot see: the length of the valid value at the start of the match, or null. */
  fit?: (value: string) => number | null;
}

/** An IBAN is as long as its country says: cut the match there ("… 0130 00 by Friday"), then check mod-97. */
function fitIban(v: string): number | null {
  const len = IBAN_LENGTHS[v.slice(0, 2).toUpperCase()];
  if (len === undefined) return null;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === ' ') continue;
    if (++n === len) {
      if (i + 1 < v.length && v[i + 1] !== ' ') return null; // the count ends inside a group
      return ibanValid(v.slice(0, i + 1).replace(/ /g, '').toUpperCase()) ? i + 1 : null;
    }
  }
  return null;
}

const PLACEHOLDER_WORDS = /^(?:null|none|nil|undefined|true|false|empty|redacted|hidden|changeme|example|xxx+|\*+|\[[A-Z_]+\]|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\})$/i;

const hasDigitAndLetter = (s: string): boolean => /\d/.test(s) && /[A-Za-z]/.test(s);

function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

/** Ordered most specific first: when spans overlap, the earlier detector wins a tie. */
export const DETECTORS: Detector[] = [
  {
    kind: 'private_key',
    re: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z]+ )*PRIVATE KEY-----|$)/g,
  },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
  {
    kind: 'cloud_key',
    // AWS access key ids (user, temporary, role, …), Alibaba, Tencent, IBM-style ids.
    re: /\b(?:(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}|LTAI[A-Za-z0-9]{12,20}|AKID[A-Za-z0-9]{32})\b/g,
  },
  {
    kind: 'cloud_key',
    // The secret half only shows up beside its name.
    re: /\b(?:aws_?secret_?access_?key|secretaccesskey|aws_?secret|azure_?client_?secret|AccountKey|SharedAccessKey)["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{30,88})/gi,
    group: 1,
  },
  {
    kind: 'api_key',
    re: new RegExp(
      [
        'sk-ant-(?:api|admin|sid)\\d{2}-[A-Za-z0-9_-]{20,}',
        'sk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}',
        '(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}',
        'gh[pousr]_[A-Za-z0-9]{36,}',
        'github_pat_[A-Za-z0-9_]{40,}',
        'glpat-[A-Za-z0-9_-]{20,}',
        'xox[abposr]-[A-Za-z0-9-]{10,}',
        'AIza[0-9A-Za-z_-]{35}',
        'npm_[A-Za-z0-9]{36}',
        'SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}',
        'hf_[A-Za-z0-9]{30,}',
        'dop_v1_[a-f0-9]{64}',
        'shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}',
        'key-[a-f0-9]{32}',
        '(?:AC|SK)[a-f0-9]{32}',
        'pypi-[A-Za-z0-9_-]{50,}',
      ]
        .map((p) => `(?<![A-Za-z0-9_-])${p}(?![A-Za-z0-9_-])`)
        .join('|'),
      'g',
    ),
  },
  {
    kind: 'secret',
    re: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g,
  },
  {
    kind: 'token',
    re: /\b(?:Bearer|Basic|Token)[ \t]+([A-Za-z0-9\-._~+/]{16,}=*)/gi,
    group: 1,
    accept: (v) => /\d/.test(v) || /[A-Z]/.test(v.slice(1)),
  },
  {
    kind: 'secret',
    // credentials in a URL: scheme://user:PASSWORD@host
    re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:([^\s@/]+)@[^\s/]+/gi,
    group: 1,
    accept: (v) => !PLACEHOLDER_WORDS.test(v),
  },
  {
    kind: 'secret',
    // `password=…`, `"api_key": "…"`, `client_secret: …`: the value beside a secret's name.
    re: /\b([A-Za-z_]*(?:password|passwd|pwd|passphrase|secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|refresh[_-]?token|client[_-]?secret|private[_-]?key|signing[_-]?key)[A-Za-z_]*)["']?\s*[:=]\s*["']?([^\s"',;}]{6,})/gi,
    group: 2,
    accept: (v, _text, _start, m) =>
      // names of settings *about* a secret (its name, path, length, header) hold no secret
      !/(?:name|path|file|header|length|len|ttl|id|type|url|ref|min|max|policy|rotation|expiry|expires)$/i.test(m[1] ?? '') &&
      !PLACEHOLDER_WORDS.test(v) &&
      !/^\$\{?[A-Za-z_]/.test(v) &&
      !/^\[[A-Z_]+\]/.test(v) &&
      (hasDigitAndLetter(v) || v.length >= 10 || /[^A-Za-z]/.test(v)),
  },
  {
    kind: 'email',
    re: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b/g,
    accept: (v, text, start) =>
      !/\.(?:png|jpe?g|gif|svg|webp|ico|css|js|ts)$/i.test(v) && !text.slice(Math.max(0, start - 3), start).endsWith('://'),
  },
  {
    kind: 'card',
    re: /(?<![\d.-])\d(?:[ -]?\d){11,18}(?![\d])/g,
    accept: (v) => {
      const d = digitsOf(v);
      if (d.length < 12 || d.length > 19) return false;
      // a separated number must be separated like a card (groups of 4, or 4-6-5 for Amex)
      if (/[ -]/.test(v)) {
        const groups = v.split(/[ -]/).map((g) => g.length);
        const ok = groups.slice(0, -1).every((g) => g === 4) || groups.join(',') === '4,6,5' || groups.join(',') === '4,6,4';
        if (!ok) return false;
      }
      return luhnValid(d) && cardNetworkValid(d);
    },
  },
  {
    kind: 'iban',
    // people paste IBANs in lower case too; the country length and mod-97 keep prose out
    re: /\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}\b/g,
    fit: fitIban,
  },
  {
    kind: 'ip',
    re: /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?(?!\.?\d)(?![\w])/g,
    accept: (v, text, start) => ipv4Valid(v.split('/')[0]!) && !/v$/i.test(text.slice(Math.max(0, start - 1), start)),
  },
  {
    kind: 'ip',
    re: /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?:%[A-Za-z0-9]+)?(?:\/\d{1,3})?(?![\w:])/g,
    accept: (v) => ipv6Valid(v.split('/')[0]!),
  },
  {
    kind: 'phone',
    // international: +CC then 6..14 more digits in groups
    re: /(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?!\d)/g,
    accept: (v) => {
      const n = digitsOf(v).length;
      return n >= 8 && n <= 15;
    },
  },
  {
    kind: 'phone',
    // North American: (415) 555-0132, 415-555-0132, 415.555.0132
    re: /(?<![\w.+-])(?:1[ .-])?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}(?![\w.-]*\d)/g,
  },
  {
    kind: 'phone',
    // national numbers with a trunk 0: 020 7946 0958, 030 1234 5678, 01 23 45 67 89, 0612-345678
    re: /(?<![\w.+-])0\d{1,4}(?:[ -]\d{2,4}){1,4}(?![\w.-]*\d)/g,
    accept: (v, text, start) => {
      const n = digitsOf(v).length;
      if (n < 9 || n > 12) return false;
      // a group of a longer number (a card, an account) is not a phone number
      return !/\d[-/. ]$/.test(text.slice(Math.max(0, start - 2), start));
    },
  },
  {
    kind: 'phone',
    // any number written right after a phone word
    re: /\b(?:phone|tel|telephone|mobile|cell|fax|whatsapp|sms|call(?: me)?(?: at| on)?)\b[.:#]?\s*((?:\+|00)?\d[\d ().-]{5,18}\d)/gi,
    group: 1,
    accept: (v) => {
      const n = digitsOf(v).length;
      return n >= 7 && n <= 15;
    },
  },
];
