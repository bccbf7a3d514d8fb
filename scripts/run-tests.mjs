// Runs every compiled test file (dist/test/**/*.test.js) with Node's built-in test runner.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = 'dist/test';
const files = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.js')) files.push(p);
  }
};
walk(root);
const only = process.argv.slice(2);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
if (selected.length === 0) {
  console.error(`no test files found under ${root}${only.length ? ` matching ${only.join(', ')}` : ''}; run the build first`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', ...selected.sort()], { stdio: 'inherit' });
process.exit(r.status ?? 1);
