/**
 * The dense kernel layer: blocks of rows copied into a kernel's memory and multiplied as dot-product tiles, by the
 * WASM SIMD kernel (wasm/simd-kernels.wat, built by scripts/build-wasm.mjs) or by a scalar JavaScript fallback with
 * the same interface. Callers (kNN tiles, k-means, silhouette, covariance, PCA) turn dots into squared distances
 * with their own float64 norms: ||a||² + ||b||² - 2 a·b.
 *
 * Each engine owns one WebAssembly instance and its private memory (an arena: `block` allocates, `reset` frees all),
 * so engines on different threads never share state. Results depend only on the inputs and the engine kind (SIMD
 * sums f32 lanes in a fixed order; scalar sums in float64), so a seed reproduces a run on a given machine.
 * CLUSTERBENCH_SIMD=0 forces the scalar engine (benches compare the two).
 *
 * Measured here (one core, 64 x 1,200 x 384 tiles): SIMD 22 G multiply-adds/s, the scalar 2x4 blocked loop 2.1.
 */
import { readFileSync } from 'node:fs';

/** Rows held by an engine: `rows` real rows (then zero rows up to `capacity`), each `len` floats (d rounded up). */
export interface Block {
  /** Byte offset in the engine's memory (the WASM memory, or the scalar engine's Float32Array store). */
  ptr: number;
  rows: number;
  capacity: number;
}

/** Which engine runs. */
export type EngineKind = 'simd' | 'scalar';

// The WebAssembly global, typed here: this project's lib settings (ES2023, no DOM) do not declare it.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number; maximum?: number }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let module: WasmModule | null | undefined;

/** The compiled kernel module, or null when it is missing or this runtime has no SIMD (then: scalar fallback). */
function simdModule(): WasmModule | null {
  if (module !== undefined) return module;
  module = null;
  if (process.env.CLUSTERBENCH_SIMD === '0') return module;
  try {
    module = new wasm.Module(readFileSync(new URL('./wasm/simd-kernels.wasm', import.meta.url)));
  } catch {
    module = null;
  }
  return module;
}

/** Whether the SIMD kernels are available here (built, and not disabled by CLUSTERBENCH_SIMD=0). */
export function simdAvailable(): boolean {
  return simdModule() !== null;
}

const roundUp = (v: number, m: number): number => Math.ceil(v / m) * m;

/** Dot-product tiles over rows of width d. */
export class DotEngine {
  readonly kind: EngineKind;
  /** Floats per stored row: d rounded up to 8 (so Prim's two-accumulator loop needs no tail). */
  readonly len: number;
  private readonly memory: WasmMemory | null;
  private readonly dotsFn:
    | ((aBase: number, idx: number, na: number, b: number, nb: number, len: number, out: number, ldo: number) => void)
    | null;
  private readonly xtFn: ((x: number, len: number, rows: number, y: number, l: number, z: number) => void) | null;
  private readonly primFn:
    | ((
        v: number,
        work: number,
        m: number,
        len: number,
        norm: number,
        core: number,
        best: number,
        from: number,
        vNorm: number,
        vCore: number,
        vId: number,
      ) => number)
    | null;
  private top = 0;
  private f32: Float32Array;
  private store: Float32Array;

  constructor(
    readonly d: number,
    kind: EngineKind = simdAvailable() ? 'simd' : 'scalar',
  ) {
    this.len = roundUp(Math.max(d, 1), 8);
    const mod = kind === 'simd' ? simdModule() : null;
    this.kind = mod ? 'simd' : 'scalar';
    if (mod) {
      this.memory = new wasm.Memory({ initial: 16 });
      const inst = new wasm.Instance(mod, { env: { memory: this.memory } });
      this.dotsFn = inst.exports.dots as DotEngine['dotsFn'];
      this.primFn = inst.exports.prim_update as DotEngine['primFn'];
      this.xtFn = inst.exports.xt_times as DotEngine['xtFn'];
      this.f32 = new Float32Array(this.memory.buffer);
      this.store = this.f32;
    } else {
      this.memory = null;
      this.dotsFn = null;
      this.primFn = null;
      this.xtFn = null;
      this.store = new Float32Array(1024);
      this.f32 = this.store;
    }
  }

  /** Float view of the engine memory (re-made after growth). */
  floats(): Float32Array {
    if (this.memory && this.f32.buffer !== this.memory.buffer) this.f32 = new Float32Array(this.memory.buffer);
    return this.memory ? this.f32 : this.store;
  }

  /** Reserve `bytes` (16-byte aligned); returns the byte offset. */
  alloc(bytes: number): number {
    const at = roundUp(this.top, 64);
    const end = at + roundUp(bytes, 16);
    if (this.memory) {
      const have = this.memory.buffer.byteLength;
      if (end > have) this.memory.grow(Math.ceil((end - have) / 65536));
    } else if (end > this.store.byteLength) {
      const next = new Float32Array(Math.max(end / 4, this.store.length * 2));
      next.set(this.store);
      this.store = next;
      this.f32 = next;
    }
    this.top = end;
    return at;
  }

  /** Free everything allocated since `mark` (from `mark()`); 0 frees all. */
  reset(mark = 0): void {
    this.top = mark;
    if (this.outPtr >= mark) this.outPtr = -1;
  }

  mark(): number {
    return this.top;
  }

  /** A block for `capacity` rows (rounded up to 4); `fill` writes every row, padding included. */
  block(capacity: number): Block {
    const cap = roundUp(Math.max(capacity, 1), 4);
    const ptr = this.alloc(cap * this.len * 4);
    this.floats().fill(0, ptr / 4, ptr / 4 + cap * this.len);
    return { ptr, rows: 0, capacity: cap };
  }

  /** As block, without zeroing: for a block that `fill` writes at once (it zeroes padding and spare rows). */
  private rawBlock(capacity: number): Block {
    const cap = roundUp(Math.max(capacity, 1), 4);
    return { ptr: this.alloc(cap * this.len * 4), rows: cap, capacity: cap };
  }

  /**
   * Copy `count` rows of src (row-major, d wide) into b: rows src[idx[i]] when idx is given, else src rows
   * start..start+count. `shift` (length d) is subtracted from every row (centring keeps f32 dot products accurate).
   */
  fill(
    b: Block,
    src: Float32Array,
    count: number,
    idx: ArrayLike<number> | null = null,
    start = 0,
    shift?: ArrayLike<number>,
  ): Block {
    if (count > b.capacity) throw new Error(`DotEngine.fill: ${count} rows into a block of ${b.capacity}`);
    const f = this.floats();
    const { d, len } = this;
    let o = b.ptr / 4;
    if (!idx && !shift && d === len) f.set(src.subarray(start * d, (start + count) * d), o);
    else {
      for (let i = 0; i < count; i++, o += len) {
        const s = (idx ? idx[i] : start + i) * d;
        if (shift) for (let j = 0; j < d; j++) f[o + j] = src[s + j] - shift[j];
        else f.set(src.subarray(s, s + d), o);
        if (len > d) f.fill(0, o + d, o + len);
      }
    }
    // Rows beyond count (left from an earlier fill) are zeroed so padded tiles stay finite and exact.
    if (count < b.rows) f.fill(0, b.ptr / 4 + count * len, b.ptr / 4 + b.rows * len);
    b.rows = count;
    return b;
  }

  /** A new block holding the given rows (see fill). */
  load(
    src: Float32Array,
    count: number,
    idx: ArrayLike<number> | null = null,
    start = 0,
    shift?: ArrayLike<number>,
  ): Block {
    return this.fill(this.rawBlock(count), src, count, idx, start, shift);
  }

  /** Float64 squared norms of rows r0..r1 of a block, as stored (after any shift). */
  norms(b: Block, r0 = 0, r1 = b.rows): Float64Array {
    const f = this.floats();
    const out = new Float64Array(r1 - r0);
    for (let i = r0; i < r1; i++) {
      const o = b.ptr / 4 + i * this.len;
      let s = 0;
      for (let j = 0; j < this.d; j++) s += f[o + j] * f[o + j];
      out[i - r0] = s;
    }
    return out;
  }

  private outPtr = -1;
  private outCap = 0;
  private idxPtr = -1;
  private idxCap = 0;

  /** Scratch for tile outputs and row lists, allocated at the top of the arena on first use. */
  private scratch(outFloats: number, idxInts: number): void {
    if (outFloats > this.outCap || idxInts > this.idxCap || this.outPtr < 0) {
      this.outCap = Math.max(outFloats, this.outCap);
      this.idxCap = Math.max(idxInts, this.idxCap);
      this.outPtr = this.alloc(this.outCap * 4);
      this.idxPtr = this.alloc(this.idxCap * 4);
    }
  }

  /**
   * Dot products of rows a0..a0+na of A with rows b0..b0+nb of B. Returns a float view (valid until the next
   * engine call) where the product of A row a0+i and B row b0+j is at [i * stride + j]; stride = nb rounded up to 2.
   * Rows past a block's real rows read as zeros; a0 + na may reach up to capacity.
   */
  dots(
    A: Block,
    a0: number,
    na: number,
    B: Block,
    b0: number,
    nb: number,
  ): { out: Float32Array; at: number; stride: number } {
    return this.dotsRows(A, null, a0, na, B, b0, nb);
  }

  /** As dots, with A's rows listed by index (rows[0..na) of block A). */
  dotsRows(
    A: Block,
    rows: ArrayLike<number> | null,
    a0: number,
    na: number,
    B: Block,
    b0: number,
    nb: number,
  ): { out: Float32Array; at: number; stride: number } {
    const naP = roundUp(na, 4);
    const stride = roundUp(nb, 2);
    if (b0 + stride > B.capacity)
      throw new Error(`DotEngine.dots: rows ${b0}..${b0 + stride} past a block of ${B.capacity}`);
    const len = this.len;
    if (this.dotsFn) {
      this.scratch(naP * stride, naP);
      const iv = new Int32Array(this.memory!.buffer, this.idxPtr, naP);
      for (let i = 0; i < naP; i++) iv[i] = rows ? rows[a0 + Math.min(i, na - 1)] : a0 + Math.min(i, na - 1);
      this.dotsFn(A.ptr, this.idxPtr, naP, B.ptr + b0 * len * 4, stride, len * 4, this.outPtr, stride);
      return { out: this.floats(), at: this.outPtr / 4, stride };
    }
    this.scratch(naP * stride, 0);
    const f = this.floats();
    const out = f;
    const base = this.outPtr / 4;
    const d = this.d;
    for (let i = 0; i < na; i += 2) {
      const r0 = rows ? rows[a0 + i] : a0 + i;
      const r1 = i + 1 < na ? (rows ? rows[a0 + i + 1] : a0 + i + 1) : r0;
      const p0 = A.ptr / 4 + r0 * len,
        p1 = A.ptr / 4 + r1 * len;
      const o0 = base + i * stride,
        o1 = o0 + stride;
      const two = i + 1 < na;
      let j = 0;
      for (; j + 3 < nb; j += 4) {
        const q0 = B.ptr / 4 + (b0 + j) * len,
          q1 = q0 + len,
          q2 = q1 + len,
          q3 = q2 + len;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0,
          t0 = 0,
          t1 = 0,
          t2 = 0,
          t3 = 0;
        for (let t = 0; t < d; t++) {
          const x = f[p0 + t],
            y = f[p1 + t];
          const c0 = f[q0 + t],
            c1 = f[q1 + t],
            c2 = f[q2 + t],
            c3 = f[q3 + t];
          s0 += x * c0;
          s1 += x * c1;
          s2 += x * c2;
          s3 += x * c3;
          t0 += y * c0;
          t1 += y * c1;
          t2 += y * c2;
          t3 += y * c3;
        }
        out[o0 + j] = s0;
        out[o0 + j + 1] = s1;
        out[o0 + j + 2] = s2;
        out[o0 + j + 3] = s3;
        if (two) {
          out[o1 + j] = t0;
          out[o1 + j + 1] = t1;
          out[o1 + j + 2] = t2;
          out[o1 + j + 3] = t3;
        }
      }
      for (; j < nb; j++) {
        const q = B.ptr / 4 + (b0 + j) * len;
        let s = 0,
          t = 0;
        for (let u = 0; u < d; u++) {
          s += f[p0 + u] * f[q + u];
          t += f[p1 + u] * f[q + u];
        }
        out[o0 + j] = s;
        if (two) out[o1 + j] = t;
      }
    }
    return { out, at: base, stride };
  }

  /**
   * Z = sum over rows r0..r0+m of A of y[i][c] * (A row r0+i), for c < l: returns l rows of d floats (a view valid
   * until the next engine call; row c at [at + c * len]). y is row-major m x l. r0 + m rounded up to 4 must fit A.
   */
  xtTimes(A: Block, r0: number, m: number, y: Float32Array, l: number): { out: Float32Array; at: number } {
    const mp = roundUp(m, 4);
    const len = this.len;
    this.scratch(l * len, mp * l);
    const f = this.floats();
    const yAt = this.idxPtr / 4;
    f.set(y.subarray(0, m * l), yAt);
    f.fill(0, yAt + m * l, yAt + mp * l);
    const zAt = this.outPtr / 4;
    f.fill(0, zAt, zAt + l * len);
    if (this.xtFn) this.xtFn(A.ptr + r0 * len * 4, len * 4, mp, this.idxPtr, l, this.outPtr);
    else {
      for (let i = 0; i < m; i++) {
        const xo = A.ptr / 4 + (r0 + i) * len;
        for (let c = 0; c < l; c++) {
          const w = f[yAt + i * l + c],
            zo = zAt + c * len;
          for (let j = 0; j < this.d; j++) f[zo + j] += w * f[xo + j];
        }
      }
    }
    return { out: f, at: zAt };
  }

  /**
   * One Prim step over `m` rows of block `work` against the point at row `v` of block `vb` (see prim_update in the
   * .wat). norm/core/best are float64 and from int32 arrays of the engine memory at the given byte offsets.
   */
  primUpdate(
    vb: Block,
    v: number,
    work: Block,
    m: number,
    norm: number,
    core: number,
    best: number,
    from: number,
    vNorm: number,
    vCore: number,
    vId: number,
  ): number {
    const len = this.len;
    if (this.primFn)
      return this.primFn(vb.ptr + v * len * 4, work.ptr, m, len * 4, norm, core, best, from, vNorm, vCore, vId);
    const f = this.floats();
    const buf = f.buffer as ArrayBuffer;
    const nv = new Float64Array(buf, norm, m),
      cv = new Float64Array(buf, core, m),
      bv = new Float64Array(buf, best, m);
    const fv = new Int32Array(buf, from, m);
    const vo = vb.ptr / 4 + v * len;
    let minVal = Infinity,
      minPos = -1;
    for (let pos = 0; pos < m; pos++) {
      const lb = vCore > cv[pos] ? vCore : cv[pos];
      if (bv[pos] > lb) {
        const o = work.ptr / 4 + pos * len;
        let s = 0;
        for (let j = 0; j < this.d; j++) s += f[vo + j] * f[o + j];
        let q = vNorm + nv[pos] - 2 * s;
        if (q < lb) q = lb;
        if (q < bv[pos]) {
          bv[pos] = q;
          fv[pos] = vId;
        }
      }
      if (bv[pos] < minVal) {
        minVal = bv[pos];
        minPos = pos;
      }
    }
    return minPos;
  }
}
