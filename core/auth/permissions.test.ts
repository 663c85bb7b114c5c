import { describe, expect, it } from 'vitest';
import { isAllowed, parseRole } from './permissions.js';

describe('the permission matrix', () => {
  it('lets everyone read rules but only managers and admins change them', () => {
    expect(isAllowed('viewer', ['rules', 'read'])).toBe(true);
    expect(isAllowed('operator', ['rules', 'write'])).toBe(false);
    expect(isAllowed('manager', ['rules', 'write'])).toBe(true);
  });
  it('lets operators create and acknowledge tasks, not viewers', () => {
    expect(isAllowed('viewer', ['tasks', 'write'])).toBe(false);
    expect(isAllowed('operator', ['tasks', 'write'])).toBe(true);
  });
  it('keeps healing execution to managers and full control to admins', () => {
    expect(isAllowed('operator', ['healing', 'execute'])).toBe(false);
    expect(isAllowed('manager', ['healing', 'execute'])).toBe(true);
    expect(isAllowed('manager', ['healing', 'manage'])).toBe(false);
    expect(isAllowed('admin', ['healing', 'manage'])).toBe(true);
  });
  it('keeps users and tokens to admins', () => {
    expect(isAllowed('manager', ['users', 'read'])).toBe(false);
    expect(isAllowed('admin', ['users', 'write'])).toBe(true);
  });
  it('parses role names in any case and refuses others', () => {
    expect(parseRole('MANAGER')).toBe('manager');
    expect(parseRole('root')).toBeUndefined();
  });
});
