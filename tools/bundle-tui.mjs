// Bundles the dashboard's React side (dist/tui/run.js with Ink, React and the rest of its packages)
// into one file, dist/tui/run.bundle.js, after tsc has built dist/. Loading Ink unbundled means
// resolving, reading and parsing some 550 modules (415 of them es-toolkit/compat, for one `throttle`),
// and lexing React's CommonJS files to find their exports: most of the dashboard's start-up time.
//
// Only node_modules and the project files that import react or ink go in. Every other project module
// (model, source, state, render, views, core, cli) stays an import of its own file in dist/, so the
// command and the bundle share one copy of each: `instanceof PanelUnavailable` and AppError still work,
// and React exists exactly once.
//
// dist/tui/run.bundle.json records the size and mtime of each project file bundled; tui/load-ui.ts
// uses the bundle only while they match, and the modules in dist/ otherwise (after a bare `tsc`).
// Run again, this script does nothing while the bundle is fresh (its inputs, the installed packages
// and this script unchanged; --force rebuilds), and it replaces the files by renaming, so a dashboard
// starting meanwhile never reads half a bundle.
import { build } from 'esbuild';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tuiDir = join(root, 'dist', 'tui');
const entry = join(tuiDir, 'run.js');
const outfile = join(tuiDir, 'run.bundle.js');
const manifestFile = join(tuiDir, 'run.bundle.json');

if (!existsSync(entry)) {
  console.error(`error: ${relative(root, entry)} is missing (run tsc first: npm run build)`);
  process.exit(1);
}

const { staleReason } = await import(pathToFileURL(join(tuiDir, 'load-ui.js')).href);
const stamp = (file) => {
  try {
    const s = statSync(file);
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return null;
  }
};
// What else the bundle is made from: the installed packages (npm rewrites this file on every install) and this script.
const madeWith = { packages: stamp(join(root, 'node_modules', '.package-lock.json')), tool: stamp(fileURLToPath(import.meta.url)) };
const previous = existsSync(manifestFile) && existsSync(outfile) ? readFileSync(manifestFile, 'utf8') : null;
if (!process.argv.includes('--force') && previous !== null &&
  staleReason(previous, (rel) => stamp(join(tuiDir, rel))) === null && JSON.stringify(JSON.parse(previous).madeWith) === JSON.stringify(madeWith)) {
  console.log('dist/tui/run.bundle.js: up to date');
  process.exit(0);
}

const REACT_IMPORT = /\bfrom\s*['"](react|ink)(\/[^'"]*)?['"]/;
const usesReact = (file) => REACT_IMPORT.test(readFileSync(file, 'utf8'));
const fromBundle = (file) => {
  const rel = relative(tuiDir, file).split('\\').join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
};

/** @type {import('esbuild').Plugin} */
const projectModulesStayShared = {
  name: 'project-modules-stay-shared',
  setup(b) {
    // Ink loads React DevTools only when DEV=true; the bundle leaves them (and the ws server they
    // pull in) out, and Ink then prints its own "react-devtools-core is not installed" hint.
    b.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) =>
      args.importer.includes(join('node_modules', 'ink')) ? { path: 'devtools', namespace: 'no-devtools' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'no-devtools' }, () => ({
      contents: "const e = new Error('React DevTools are not part of the bundled dashboard (unset DEV)'); e.code = 'ERR_MODULE_NOT_FOUND'; throw e;",
    }));
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.m?js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      let patched = source;
      // A package that finds its own files through import.meta.url (Ink reads its package.json when
      // DEV=true) must still find them from inside the bundle: the URL of the file it came from.
      if (patched.includes('import.meta.url')) {
        const own = `new URL(${JSON.stringify(fromBundle(args.path))}, import.meta.url).href`;
        patched = patched.split('import.meta.url').join(own);
      }
      // Yoga's WebAssembly is inlined as base64; its loader still hands that data: URL to fetch() when
      // fetch exists, and the first fetch() loads Node's undici: tens of milliseconds before the first
      // frame, for nothing. Told there is no fetch, it decodes the base64 itself.
      const warnings = [];
      if (/yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/.test(args.path)) {
        const before = patched;
        patched = patched.split('"function"!=typeof fetch').join('!0');
        if (patched === before) warnings.push({ text: 'yoga-layout no longer tests `typeof fetch`: its WebAssembly may load through fetch() (slower start, still correct)' });
      }
      return patched === source ? undefined : { contents: patched, loader: 'js', warnings, resolveDir: dirname(args.path) };
    });
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.importer.includes('node_modules') || !args.importer.startsWith(join(root, 'dist'))) return undefined;
      const file = resolve(dirname(args.importer), args.path);
      if (usesReact(file)) return undefined;
      return { path: fromBundle(file), external: true };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // React's production build, as the command selects at run time (NODE_ENV=production).
  define: { 'process.env.NODE_ENV': '"production"' },
  // CommonJS packages inside call require() for Node's own modules.
  banner: { js: "import { createRequire as __foundryCreateRequire } from 'node:module';\nconst require = __foundryCreateRequire(import.meta.url);" },
  plugins: [projectModulesStayShared],
  external: ['react-devtools-core'],
  legalComments: 'none',
  metafile: true,
  write: false,
  logLevel: 'warning',
});

const inputs = {};
for (const input of Object.keys(result.metafile.inputs)) {
  const file = resolve(root, input);
  if (!file.startsWith(tuiDir) || input.includes('node_modules')) continue;
  inputs[fromBundle(file)] = stamp(file);
}
const shared = [...new Set(result.metafile.outputs[relative(root, outfile)].imports.filter((i) => i.external && i.path.startsWith('.')).map((i) => i.path))].sort();
const [output] = result.outputFiles;
writeFileSync(`${outfile}.tmp`, output.contents);
writeFileSync(`${manifestFile}.tmp`, `${JSON.stringify({ inputs, shared, madeWith }, null, 2)}\n`);
// The bundle first: a manifest never describes a bundle that is not in place yet.
renameSync(`${outfile}.tmp`, outfile);
renameSync(`${manifestFile}.tmp`, manifestFile);
console.log(`dist/tui/run.bundle.js: ${(output.contents.length / 1024).toFixed(0)} KiB, ${Object.keys(result.metafile.inputs).length} modules ` +
  `(${Object.keys(inputs).length} of the project's; ${shared.length} shared with the command)`);
