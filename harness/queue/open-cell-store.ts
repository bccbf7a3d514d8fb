/** Open the cell store named by `--store`: `s3://bucket/prefix` (an S3-compatible object store) or a directory. */
import { DirectoryCellStore, type CellStore } from './cell-store.js';
import { S3CellStore, type S3StoreOptions } from './s3-cell-store.js';

export function openCellStore(spec: string, o: S3StoreOptions = {}): CellStore {
  if (/^s3:\/\//i.test(spec)) return new S3CellStore(spec, o);
  return new DirectoryCellStore(spec);
}
