import { describe, it, expect } from 'vitest';
import { validatePlaybook } from './parse.js';
import { renderStep, RenderError, type TemplateContext } from './render.js';
import { MissingValueError, parseTemplate, renderTemplate, TemplateError } from './template.js';

const ctx: TemplateContext = {
  issue: { id: 'iss_1', severity: 'high', labels: { service: 'api; rm -rf / #', instance: 'web 1', flag: '--force' }, value: 0.91 },
  action: { id: 'act_1' },
  target: 'api',
  steps: { probe: { stdout: 'load 3.2', exitCode: 0 } },
};

const step = (s: object) => validatePlaybook({ name: 'p', steps: [{ id: 'probe', type: 'exec', argv: ['true'] }, s] }).steps[1]!;

describe('templates', () => {
  it('substitute a value into exactly one argv item, whatever the value holds', () => {
    const r = renderStep(step({ id: 's', type: 'exec', argv: ['systemctl', 'restart', '{{issue.labels.service}}'] }), ctx);
    expect(r).toMatchObject({ argv: ['systemctl', 'restart', 'api; rm -rf / #'] });
  });

  it('keep spaces inside the item instead of splitting it', () => {
    const r = renderStep(step({ id: 's', type: 'exec', argv: ['echo', 'host={{issue.labels.instance}}'] }), ctx);
    expect(r).toMatchObject({ argv: ['echo', 'host=web 1'] });
  });

  it('refuse a value that would turn an argv item into an option', () => {
    expect(() => renderStep(step({ id: 's', type: 'exec', argv: ['kill', '{{issue.labels.flag}}'] }), ctx)).toThrow(RenderError);
    const r = renderStep(step({ id: 's', type: 'exec', argv: ['tool', '--name={{issue.labels.flag}}'] }), ctx);
    expect(r).toMatchObject({ argv: ['tool', '--name=--force'] });
  });

  it('never let an alert choose the program', () => {
    expect(() => validatePlaybook({ name: 'p', steps: [{ id: 's', type: 'exec', argv: ['{{issue.labels.service}}'] }] })).toThrow(/argv\[0\]/);
  });

  it('fail on a missing value instead of substituting an empty string', () => {
    expect(() => renderTemplate('rm -rf /var/{{issue.labels.dir}}', ctx)).toThrow(MissingValueError);
    expect(renderTemplate('x={{issue.labels.dir}}', ctx, { onMissing: (p) => `<missing ${p}>` })).toBe('x=<missing issue.labels.dir>');
  });

  it('render numbers and results of earlier steps', () => {
    expect(renderTemplate('{{issue.value}} / {{steps.probe.stdout}} / {{steps.probe.exitCode}}', ctx)).toBe('0.91 / load 3.2 / 0');
  });

  it('do not reach inherited properties', () => {
    expect(() => renderTemplate('{{issue.labels.constructor}}', ctx)).toThrow(MissingValueError);
  });

  it('encode values substituted into a URL', () => {
    const r = renderStep(step({ id: 'h', type: 'http', method: 'POST', url: 'http://ops.local/restart?svc={{issue.labels.service}}' }), ctx);
    expect(r).toMatchObject({ url: 'http://ops.local/restart?svc=api%3B%20rm%20-rf%20%2F%20%23' });
  });

  it('render inside JSON bodies as JSON strings', () => {
    const r = renderStep(step({ id: 'h', type: 'http', method: 'POST', url: 'http://x', body: { service: '{{issue.labels.service}}', n: 2 } }), ctx);
    expect(r.type === 'http' && JSON.parse(r.body!)).toEqual({ service: 'api; rm -rf / #', n: 2 });
  });

  it('are parsed strictly', () => {
    expect(() => parseTemplate('{{issue.labels.x')).toThrow(TemplateError);
    expect(() => parseTemplate('{{ {{issue.id}} }}')).toThrow(TemplateError);
    expect(() => parseTemplate('{{secrets.token}}')).toThrow(/must start with/);
    expect(parseTemplate('a {{ issue.id }} b')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'ref', path: ['issue', 'id'], source: 'issue.id' },
      { kind: 'text', text: ' b' },
    ]);
  });
});
