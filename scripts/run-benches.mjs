// Runs every compiled benchmark (dist/bench/*.bench.js) in turn; each prints its own table. `node scripts/run-benches.mjs NAME` runs one.
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = 'dist/bench';
const files = existsSync(root)
  ? readdirSync(root)
      .filter((f) => f.endsWith('.bench.js'))
      .sort()
  : [];
const only = process.argv.slice(2);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
let failed = 0;
for (const f of selected) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(root, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
