#!/usr/bin/env node
// The executable shim: it only loads the compiled CLI.
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`error: ${err && err.message ? err.message : err} (run npm run build?)\n`);
  process.exit(1);
});
