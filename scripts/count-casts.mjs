// Counts type assertions (`x as T`, `<T>x`; not `as const`) in the TypeScript sources, per top-level folder.
// Usage: node scripts/count-casts.mjs [rootDir]. Uses the compiler's parser, so comments and strings never count.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(process.argv[2] ?? '.');
const folders = ['pipeline', 'generators', 'harness', 'reports', 'test', 'bench'];
const counts = {};
const walk = (dir, out) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
};
for (const folder of folders) {
  if (!existsSync(join(root, folder))) continue;
  let n = 0;
  for (const file of walk(join(root, folder), [])) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
    const visit = (node) => {
      if (
        (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) &&
        !(ts.isTypeReferenceNode(node.type) && node.type.typeName.getText(sf) === 'const')
      )
        n++;
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  counts[folder] = n;
}
const production = ['pipeline', 'generators', 'harness', 'reports'].reduce((s, f) => s + (counts[f] ?? 0), 0);
console.log(JSON.stringify({ ...counts, production, total: Object.values(counts).reduce((a, b) => a + b, 0) }));
