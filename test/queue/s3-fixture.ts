/**
 * A real S3-compatible server for the store tests: s3rver (from npm, a devDependency) on 127.0.0.1 and a port the OS
 * picks, with a key pair of our own: a secret the tests look for in every output. (s3rver checks access key ids,
 * not SigV4 signatures.)
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverCtor = new (o: Record<string, unknown>) => S3rverServer;
interface AccountModule {
  DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
}

const require = createRequire(import.meta.url);

/** A running server: its endpoint URL, the credentials it accepts, the directory holding its objects. */
export interface S3Server {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  directory: string;
  stop(): Promise<void>;
}

export async function startS3(bucket: string): Promise<S3Server> {
  const S3rver = require('s3rver') as S3rverCtor;
  const accessKeyId = 'CBTESTKEY';
  const secretAccessKey = `s3-secret-never-in-results-${process.pid}`;
  (require('s3rver/lib/models/account.js') as AccountModule).DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  const directory = mkdtempSync(join(tmpdir(), 'cb-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
    vhostBuckets: false,
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId,
    secretAccessKey,
    directory,
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
