import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { AppError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Actor, Org, Token, User } from '../core/model.js';
import { systemClock, type Clock } from '../core/ports.js';
import { demoLoaders } from '../fixtures/demo/index.js';
import { loadDemo } from '../fixtures/demo/load.js';
import { signToken } from './http/tokens.js';
import { openStore } from './store/index.js';
import { ensureDir, statePaths, writeAtomic, writeSecret, type HomeConfig } from './state.js';

export interface InitOptions {
  home: string;
  /** A postgres:// URL; default is the SQLite file in the state folder. */
  db?: string;
  demo?: boolean;
  orgName?: string;
  adminName?: string;
  clock?: Clock;
}

export interface InitResult {
  home: string;
  db: string;
  orgId: string;
  orgName: string;
  admin: { id: string; name: string; role: 'admin'; tokenId: string };
  token: string;
  demo: { teams: number; members: number; tasks: number } | null;
}

export function isInitialised(home: string): boolean {
  return existsSync(statePaths(home).jwtKey);
}

const YEAR = 365 * 86_400_000;

/**
 * Creates the state folder, the database, the organisation and an admin token. Everything is built in
 * a sibling temporary folder and renamed into place at the end, so a failure leaves nothing half made.
 */
export async function initHome(opts: InitOptions): Promise<InitResult> {
  const clock = opts.clock ?? systemClock;
  const home = opts.home;
  if (isInitialised(home)) throw new AppError('conflict', `${home} is already initialised`, 'use it as it is, or pick another --home');
  if (existsSync(home) && readdirSync(home).length > 0) {
    throw new AppError('conflict', `${home} exists and is not empty`, 'pick an empty or new --home');
  }
  ensureDir(dirname(home));
  const staging = join(dirname(home), `.${basename(home)}.init-${process.pid}-${Date.now()}`);
  ensureDir(staging);
  const paths = statePaths(staging);
  const finalDb = opts.db ?? `sqlite:${statePaths(home).db}`;
  const stagingDb = opts.db ?? `sqlite:${paths.db}`;
  try {
    const key = randomBytes(32);
    writeSecret(paths.jwtKey, key.toString('base64url'));
    const now = clock.now();
    const org: Org = { id: newId('org', now), name: opts.orgName ?? (opts.demo ? 'acme-ops' : 'default'), createdAt: now };
    const admin: User = { id: newId('usr', now), orgId: org.id, name: opts.adminName ?? 'admin', role: 'admin', memberId: null, createdAt: now };
    const token: Token = { id: newId('tok', now), orgId: org.id, userId: admin.id, createdAt: now, expiresAt: now + 5 * YEAR, revokedAt: null };
    const jwt = await signToken(key, { tokenId: token.id, orgId: org.id, userId: admin.id, role: 'admin', expiresAt: token.expiresAt }, now);

    const store = await openStore(stagingDb, { now });
    let demo: InitResult['demo'] = null;
    try {
      const actor: Actor = { orgId: org.id, name: admin.name, userId: admin.id, role: 'admin' };
      await store.transaction(async (tx) => {
        await tx.orgs.insert(org);
        await tx.users.insert(admin);
        await tx.tokens.insert(token);
        await tx.audit.append(org.id, 'system:init', now, { action: 'org.create', subject: org.id, summary: `created organisation ${org.name} and admin ${admin.name}` });
        if (opts.demo) demo = await loadDemo(tx, clock, actor, demoLoaders);
      });
    } finally {
      await store.close();
    }
    writeSecret(paths.adminToken, `${jwt}\n`);
    const config: HomeConfig = { orgId: org.id, orgName: org.name };
    if (opts.db) config.db = opts.db;
    writeAtomic(paths.config, `${JSON.stringify(config, null, 2)}\n`, 0o600);
    ensureDir(paths.logs);

    if (existsSync(home)) rmdirSync(home);
    renameSync(staging, home);
    return {
      home, db: finalDb, orgId: org.id, orgName: org.name,
      admin: { id: admin.id, name: admin.name, role: 'admin', tokenId: token.id }, token: jwt, demo,
    };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
