// Checks the source tree's architecture (run by `make lint` and .ci/run):
//  1. layers: pipeline/ < generators/ < harness/ < reports/ < entry points (harness/cli.ts, harness/commands/).
//     A file may import its own layer or one below it, never one above.
//  2. no import cycles between modules (type-only imports count: a cycle of types is still a tangle; a worker
//     spawned with new URL(...) is not an import).
// Exits 1 listing every violation. Usage: node scripts/check-architecture.mjs [rootDir]
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname, relative, resolve, sep } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const layers = ['pipeline', 'generators', 'harness', 'reports'];
const entry = (rel) => rel === 'harness/cli.ts' || rel.startsWith('harness/commands/');
const rankOf = (rel) => (entry(rel) ? layers.length : layers.indexOf(rel.split('/')[0]));

const files = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.push(relative(root, p).split(sep).join('/'));
  }
};
for (const l of layers) if (existsSync(join(root, l))) walk(join(root, l));

const known = new Set(files);
const specRe = /(from\s+|import\s*\(\s*|import\s+|new URL\(\s*)'(\.{1,2}\/[^']+)'/g;
const graph = new Map();
const problems = [];
for (const f of files) {
  const src = readFileSync(join(root, f), 'utf8');
  const deps = new Set();
  for (const m of src.matchAll(specRe)) {
    const target = relative(root, resolve(root, dirname(f), m[2]))
      .split(sep)
      .join('/')
      .replace(/\.js$/, '.ts');
    if (!target.endsWith('.ts') || !known.has(target)) continue;
    // A worker spawned by URL is a runtime edge, not a module dependency: it counts for layers, not for cycles.
    if (!m[1].startsWith('new URL')) deps.add(target);
    const [a, b] = [rankOf(f), rankOf(target)];
    if (b > a)
      problems.push(
        `layer: ${f} (${entry(f) ? 'entry' : layers[a]}) imports ${target} (${entry(target) ? 'entry' : layers[b]}), which is above it`,
      );
  }
  graph.set(f, deps);
}

// Tarjan's strongly connected components: any component with more than one module is a cycle.
let index = 0;
const idx = new Map(),
  low = new Map(),
  stack = [],
  on = new Set();
const sccs = [];
const visit = (v) => {
  idx.set(v, index);
  low.set(v, index);
  index++;
  stack.push(v);
  on.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!idx.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const c = [];
    let w;
    do {
      w = stack.pop();
      on.delete(w);
      c.push(w);
    } while (w !== v);
    if (c.length > 1 || (graph.get(v) ?? new Set()).has(v)) sccs.push(c.sort());
  }
};
for (const f of files) if (!idx.has(f)) visit(f);
for (const c of sccs) problems.push(`cycle: ${c.join(' <-> ')}`);

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`check-architecture: ${problems.length} problem(s) in ${files.length} modules`);
  process.exit(1);
}
console.log(`check-architecture: ${files.length} modules, layers respected, no import cycles`);
