#!/usr/bin/env node
/**
 * The layering rule of STYLE.md as a check, not a hope: core/ does no I/O of its own (no network,
 * files, processes, terminal, database or SDK clients) and never reaches into the layers above it.
 * Prints each offending import as `file:line: import` and exits 1 if there is any.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Modules core/ may not import: I/O and the clients that do it. */
const FORBIDDEN_MODULES = [
  /^(node:)?(fs|fs\/promises|http|https|http2|net|tls|dgram|dns|child_process|cluster|worker_threads|readline|tty|process)$/,
  /^(ink|react|ink-.*|@inquirer\/.*|chalk|commander)$/,
  /^(better-sqlite3|pg|ioredis|bullmq|undici|nodemailer|@anthropic-ai\/sdk|eventsource|prom-client|@opentelemetry\/.*)$/,
];
/** Layers above core/. */
const FORBIDDEN_DIRS = ['server', 'cli', 'commands', 'tui', 'bench', 'fixtures', 'test'];

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) yield path;
  }
}

const IMPORT = /(?:^|\s)(?:import|export)\s(?:[^'"]*?\sfrom\s)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function check(coreDir = join(root, 'core')) {
  const problems = [];
  const base = join(coreDir, '..');
  for (const file of sources(coreDir)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const m of line.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2];
        if (/^import type\s/.test(line.trim()) || /^export type\s/.test(line.trim())) continue;
        const target = spec.startsWith('.') ? relative(base, resolve(join(file, '..'), spec)) : null;
        const bad = target !== null
          ? FORBIDDEN_DIRS.some((d) => target === d || target.startsWith(`${d}/`))
          : FORBIDDEN_MODULES.some((re) => re.test(spec));
        if (bad) problems.push(`${relative(base, file)}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = check(process.argv[2] ? resolve(process.argv[2]) : undefined);
  for (const p of problems) console.error(p);
  console.log(problems.length === 0 ? 'core/ has no I/O imports and no imports from the layers above it' : `${problems.length} boundary violation(s)`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
