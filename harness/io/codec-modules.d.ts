/** Type declarations for the two codec packages that ship none (used by harness/io/arrow-codecs.ts). */
declare module 'lz4js' {
  /** LZ4 frame format. */
  export function compress(data: Uint8Array): Uint8Array;
  export function decompress(data: Uint8Array): Uint8Array;
}

declare module 'zstd-codec' {
  /** zstd compiled to WebAssembly; `run` calls back once the module is ready. */
  export const ZstdCodec: { run(cb: (zstd: unknown) => void): void };
}
