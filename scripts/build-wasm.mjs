// Builds the WASM SIMD distance kernels: pipeline/kernels/wasm/simd-kernels.wat (the hand-written source) is compiled
// by wabt's wat2wasm (npm package `wabt`, a WebAssembly build of wabt: nothing native, installs offline) into
// dist/pipeline/kernels/wasm/simd-kernels.wasm. `npm run build` and `make build` run it before tsc.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'pipeline/kernels/wasm/simd-kernels.wat');
const outDir = join(root, 'dist/pipeline/kernels/wasm');
const out = join(outDir, 'simd-kernels.wasm');
const wabt = await wabtInit();
const mod = wabt.parseWat(src, readFileSync(src, 'utf8'), { simd: true, relaxed_simd: true });
mod.validate();
const { buffer } = mod.toBinary({});
mkdirSync(outDir, { recursive: true });
const tmp = `${out}.tmp-${process.pid}`;
writeFileSync(tmp, buffer);
renameSync(tmp, out);
console.log(`wasm: ${out} (${buffer.length} bytes)`);
