/**
 * Every stage method a profile can name, as "kind/method" -> lazy loader. Lazy so that a worker only loads the
 * libraries of the stage it runs (tfjs, onnxruntime and duckdb are heavy). Add one line per new stage.
 */
import type { StageDefinition, StageKind } from './contracts.js';
import { loadModuleStage, MODULE_PREFIX } from './user-stage-module.js';

type Loader = () => Promise<StageDefinition<unknown>>;

const registry: Record<string, Loader> = {
  'summarise/extractive': async () => (await import('./stages/summarise/extractive.js')).extractiveSummariser,
  'embed/hashing': async () => (await import('./stages/embed/hashing.js')).hashingEmbedder,
  'summarise/llm': async () => (await import('./stages/summarise/llm.js')).llmSummariser,
  'embed/openai': async () => (await import('./stages/embed/openai.js')).openAiEmbedder,
  'embed/tfidf': async () => (await import('./stages/embed/tfidf.js')).tfidfEmbedder,
  'embed/static': async () => (await import('./stages/embed/static.js')).staticEmbedder,
  'embed/use-lite': async () => (await import('./stages/embed/use-lite.js')).useLiteEmbedder,
  'embed/transformers': async () => (await import('./stages/embed/transformers.js')).transformersEmbedder,
  'cluster/kmeans': async () => (await import('./stages/cluster/kmeans.js')).kmeansClusterer,
  'cluster/minibatch-kmeans': async () =>
    (await import('./stages/cluster/minibatch-kmeans.js')).miniBatchKMeansClusterer,
  'cluster/ml-kmeans': async () => (await import('./stages/cluster/ml-kmeans.js')).mlKMeansClusterer,
  'cluster/agglomerative': async () => (await import('./stages/cluster/agglomerative.js')).agglomerativeClusterer,
  'reduce/pca': async () => (await import('./stages/reduce/pca.js')).pcaReducer,
  'reduce/ml-pca': async () => (await import('./stages/reduce/ml-pca.js')).mlPcaReducer,
  'reduce/umap': async () => (await import('./stages/reduce/umap.js')).umapReducer,
  'project/umap': async () => (await import('./stages/project/umap.js')).umapProjector,
  'project/fast-umap': async () => (await import('./stages/project/fast-umap.js')).fastUmapProjector,
  'meta-cluster/clio': async () => (await import('./stages/meta-cluster/clio.js')).clioMetaClusterer,
  'label/ctfidf': async () => (await import('./stages/label/ctfidf.js')).ctfidfLabeller,
  'cluster/hdbscan': async () => (await import('./stages/cluster/hdbscan.js')).hdbscanClusterer,
  'cluster/hdbscan-ts': async () => (await import('./stages/cluster/hdbscan-ts.js')).hdbscanTsClusterer,
  'probe/allocate': async () => (await import('./stages/probe/probe-stages.js')).allocateProbe,
  'probe/linear': async () => (await import('./stages/probe/probe-stages.js')).linearProbe,
  'probe/quadratic': async () => (await import('./stages/probe/probe-stages.js')).quadraticProbe,
  'probe/leak': async () => (await import('./stages/probe/probe-stages.js')).leakProbe,
};

/** Names of all registered stage methods, "kind/method". */
export function registeredStages(): string[] {
  return Object.keys(registry).sort();
}

/** Every registered stage's definition, in name order (loads them all: for tools such as the profile's JSON Schema, not for workers). */
export async function loadRegisteredStages(): Promise<StageDefinition<unknown>[]> {
  return Promise.all(registeredStages().map((name) => registry[name]()));
}

// Stages a profile defines (command stages, harness/profile/user-stage-resolution.ts), registered in this process.
const profileStages = new Map<string, StageDefinition<unknown>>();

/** Register a stage a profile defines; it is found by loadStage in this process only (not in worker threads). */
export function registerProfileStage(def: StageDefinition<unknown>): void {
  profileStages.set(`${def.kind}/${def.method}`, def);
}

/** Load a stage definition; throws a message listing the valid methods for that kind. */
export async function loadStage(kind: StageKind, method: string): Promise<StageDefinition<unknown>> {
  if (method.startsWith(MODULE_PREFIX)) return loadModuleStage(kind, method.slice(MODULE_PREFIX.length));
  const fromProfile = profileStages.get(`${kind}/${method}`);
  if (fromProfile) return fromProfile;
  const loader = registry[`${kind}/${method}`];
  if (!loader) {
    const valid = registeredStages()
      .filter((k) => k.startsWith(`${kind}/`))
      .map((k) => k.slice(kind.length + 1));
    throw new Error(`unknown ${kind} method "${method}"; valid: ${valid.join(', ') || '(none)'}`);
  }
  return loader();
}
