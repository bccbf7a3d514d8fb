// Runs the compiled test files (dist/test/**/*.test.js) with Node's built-in test runner.
// Usage: node scripts/run-tests.mjs [--unit | --integration] [substring...]
//   --unit         only dist/test/unit/: pure functions, no worker pool, child process, server, browser or big data
//                  (`make test-unit`, about half a minute on 2 cores);
//   --integration  every other test file (`make test-integration`); neither flag: all of them.
//   substrings     keep only the files whose path contains one of them.
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = 'dist/test';
const unitDir = join(root, 'unit') + sep;
const files = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.js')) files.push(p);
  }
};
walk(root);
const args = process.argv.slice(2);
const unit = args.includes('--unit');
const integration = args.includes('--integration');
if (unit && integration) {
  console.error('run-tests: give --unit or --integration, not both (neither runs every test file)');
  process.exit(2);
}
const unknown = args.filter((a) => a.startsWith('--') && a !== '--unit' && a !== '--integration');
if (unknown.length) {
  console.error(`run-tests: unknown option ${unknown.join(', ')} (known: --unit, --integration)`);
  process.exit(2);
}
const only = args.filter((a) => !a.startsWith('--'));
const part = unit ? 'unit' : integration ? 'integration' : 'all';
const inPart = (f) => (part === 'all' ? true : f.startsWith(unitDir) === (part === 'unit'));
const selected = files.filter((f) => inPart(f) && (only.length === 0 || only.some((o) => f.includes(o))));
if (selected.length === 0) {
  const what = `${part === 'all' ? '' : `${part} `}test files`;
  console.error(
    `no ${what} found under ${root}${only.length ? ` matching ${only.join(', ')}` : ''}; run the build first`,
  );
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', ...selected.sort()], { stdio: 'inherit' });
process.exit(r.status ?? 1);
