/**
 * The OpenAI-compatible simulator: a real node:http server on 127.0.0.1 serving
 *   POST /v1/chat/completions (JSON or SSE stream, with usage), POST /v1/embeddings (float or base64),
 *   GET /v1/models, GET /stats.
 * Content is deterministic per seed and request body. Latency, faults and rate limits follow the config; the
 * random draws for an attempt come from hash(seed, body, attempt number), so a retry of the same request draws
 * fresh faults and the whole run is reproducible whatever the arrival order.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decode as decodeCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { deriveSeed, mulberry32 } from '../../pipeline/support/seeded-random.js';
import type { SimulatorConfig } from './simulator-config.js';
import { sampleLatency } from './simulator-config.js';
import { RateLimiter } from './token-bucket.js';
import { defaultEmbeddingDims, simulatedEmbeddings, simulatedSummary } from './simulated-content.js';
import {
  encodingForModel,
  loadTokenCounter,
  type EncodingName,
  type TokenCounter,
} from '../../pipeline/api/token-counter.js';

/** Everything the simulator served, as GET /stats returns it. */
export interface SimulatorStats {
  startedAt: string;
  uptimeMs: number;
  /** API requests received (chat, embeddings, models), every attempt counted. /stats itself is not counted. */
  requests: number;
  chatCompletions: number;
  chatStreams: number;
  embeddingRequests: number;
  /** Texts embedded (inputs summed over successful requests). */
  embeddingInputs: number;
  modelListings: number;
  /** Responses by HTTP status. */
  responses: Record<string, number>;
  /** 429 answers. */
  rateLimited: number;
  faults: { error500: number; error503: number; timeout: number; reset: number; malformed: number; rejected: number };
  tokens: { prompt: number; completion: number; embedding: number };
  inFlight: number;
  peakInFlight: number;
}

/** A running simulator. */
export interface RunningSimulator {
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + "/v1": what the openai SDK takes as baseURL. */
  baseURL: string;
  port: number;
  config: SimulatorConfig;
  stats(): SimulatorStats;
  /** Refill every rate-limit bucket (e.g. between concurrency levels). */
  resetRateLimits(): void;
  /** Start a new peak-in-flight window (peakInFlight = inFlight now). */
  resetPeakInFlight(): void;
  close(): Promise<void>;
}

interface ChatBody {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: boolean };
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
}

interface EmbeddingBody {
  model?: unknown;
  input?: unknown;
  encoding_format?: unknown;
  dimensions?: unknown;
}

const MAX_BODY = 64 * 2 ** 20;

function emptyStats(): SimulatorStats {
  return {
    startedAt: new Date().toISOString(),
    uptimeMs: 0,
    requests: 0,
    chatCompletions: 0,
    chatStreams: 0,
    embeddingRequests: 0,
    embeddingInputs: 0,
    modelListings: 0,
    responses: {},
    rateLimited: 0,
    faults: { error500: 0, error503: 0, timeout: 0, reset: 0, malformed: 0, rejected: 0 },
    tokens: { prompt: 0, completion: 0, embedding: 0 },
    inFlight: 0,
    peakInFlight: 0,
  };
}

function openaiError(message: string, type: string, code: string | null = null): string {
  return JSON.stringify({ error: { message, type, param: null, code } });
}

/** The longest word-boundary prefix of `text` within `max` tokens (what max_tokens cuts a completion to). */
function truncateToTokens(text: string, max: number, tok: TokenCounter): { text: string; tokens: number } {
  const pieces = text.match(/\s*\S+/g) ?? [];
  let lo = 0;
  let hi = pieces.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (tok.count(pieces.slice(0, mid).join('')) <= max) lo = mid;
    else hi = mid - 1;
  }
  const out = pieces.slice(0, lo).join('');
  return { text: out, tokens: tok.count(out) };
}

/** Start a simulator; resolves once it listens. */
export async function startSimulator(config: SimulatorConfig): Promise<RunningSimulator> {
  const stats = emptyStats();
  const t0 = Date.now();
  const limiter = new RateLimiter(config.rateLimits.rpm, config.rateLimits.tpm, config.rateLimits.burstSeconds);
  const attempts = new Map<number, number>();
  const timers = new Set<NodeJS.Timeout>();
  const reject = config.faults.rejectPattern !== undefined ? new RegExp(config.faults.rejectPattern) : undefined;
  let closing = false;
  const counters: Record<EncodingName, TokenCounter> = {
    o200k_base: await loadTokenCounter('o200k_base'),
    cl100k_base: await loadTokenCounter('cl100k_base'),
  };
  const tokenizer = (model: string): TokenCounter => counters[encodingForModel(model)];

  const later = (ms: number, res: http.ServerResponse, fn: () => void): void => {
    const t = setTimeout(
      () => {
        timers.delete(t);
        if (!res.destroyed && !closing) fn();
      },
      Math.max(0, ms),
    );
    timers.add(t);
  };

  const send = (res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    stats.responses[status] = (stats.responses[status] ?? 0) + 1;
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    res.end(body);
  };

  /** The shared front half of chat and embeddings: rejection, rate limits, faults. Returns false when handled. */
  const gate = (
    text: string,
    model: string,
    tokens: number,
    res: http.ServerResponse,
    req: http.IncomingMessage,
    rand: () => number,
    stream: boolean,
  ): { ok: boolean; headers: Record<string, string> } => {
    if (reject?.test(text)) {
      stats.faults.rejected++;
      send(
        res,
        400,
        openaiError(
          'Your request was rejected by the simulated content filter (faults.rejectPattern).',
          'invalid_request_error',
          'content_policy_violation',
        ),
        { 'x-should-retry': 'false' },
      );
      return { ok: false, headers: {} };
    }
    const adm = limiter.admit(model, tokens);
    if (!adm.ok) {
      stats.rateLimited++;
      send(
        res,
        429,
        openaiError(
          `Rate limit reached for ${model} on ${adm.limitedBy} (simulated). Please try again in ${adm.retryAfterMs}ms.`,
          adm.limitedBy ?? 'requests',
          'rate_limit_exceeded',
        ),
        {
          ...adm.headers,
          'retry-after-ms': String(adm.retryAfterMs),
          'retry-after': String(Math.max(1, Math.ceil(adm.retryAfterMs / 1000))),
        },
      );
      return { ok: false, headers: {} };
    }
    const f = config.faults;
    let u = rand();
    const hit = (p: number): boolean => (u < p ? true : ((u -= p), false));
    if (hit(f.error500)) {
      stats.faults.error500++;
      send(
        res,
        500,
        openaiError('The server had an error while processing your request (simulated).', 'server_error'),
        adm.headers,
      );
      return { ok: false, headers: {} };
    }
    if (hit(f.error503)) {
      stats.faults.error503++;
      send(
        res,
        503,
        openaiError('The engine is currently overloaded, please try again later (simulated).', 'server_error'),
        adm.headers,
      );
      return { ok: false, headers: {} };
    }
    if (hit(f.timeout)) {
      stats.faults.timeout++;
      return { ok: false, headers: {} }; // never answer; the client's timeout fires
    }
    if (hit(f.reset)) {
      stats.faults.reset++;
      req.socket.resetAndDestroy();
      return { ok: false, headers: {} };
    }
    if (hit(f.malformed)) {
      stats.faults.malformed++;
      stats.responses[200] = (stats.responses[200] ?? 0) + 1;
      if (stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...adm.headers });
        res.end(
          `data: {"id":"chatcmpl-broken","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Req\n\n`,
        );
      } else {
        const body = `{"id":"broken","object":"list","data":[{"index":0,`;
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...adm.headers,
        });
        res.end(body);
      }
      return { ok: false, headers: {} };
    }
    return { ok: true, headers: adm.headers };
  };

  const drawFor = (raw: string): (() => number) => {
    const key = deriveSeed(config.seed, raw);
    const n = attempts.get(key) ?? 0;
    attempts.set(key, n + 1);
    return mulberry32(deriveSeed(key, `attempt-${n}`));
  };

  const chat = (raw: string, body: ChatBody, req: http.IncomingMessage, res: http.ServerResponse): void => {
    const model = body.model;
    const msgs = body.messages;
    if (typeof model !== 'string' || !Array.isArray(msgs) || msgs.length === 0) {
      send(
        res,
        400,
        openaiError('model (string) and messages (non-empty array) are required', 'invalid_request_error'),
      );
      return;
    }
    const messages = msgs.map((m: { role?: unknown; content?: unknown }) => ({
      role: typeof m?.role === 'string' ? m.role : 'user',
      content:
        typeof m?.content === 'string'
          ? m.content
          : Array.isArray(m?.content)
            ? m.content.map((p: { text?: string }) => p?.text ?? '').join('')
            : '',
    }));
    const stream = body.stream === true;
    stats.chatCompletions++;
    if (stream) stats.chatStreams++;
    const maxTok = Number(body.max_completion_tokens ?? body.max_tokens ?? 1024);
    const tok = tokenizer(model);
    const promptTokens = tok.countChat(messages);
    const rand = drawFor(raw);
    const g = gate(messages.map((m) => m.content).join('\n'), model, promptTokens + maxTok, res, req, rand, stream);
    if (!g.ok) return;
    let text = simulatedSummary(messages, config.seed);
    let completionTokens = tok.count(text);
    let finish: 'stop' | 'length' = 'stop';
    if (Number.isFinite(maxTok) && maxTok > 0 && completionTokens > maxTok) {
      ({ text, tokens: completionTokens } = truncateToTokens(text, maxTok, tok));
      finish = 'length';
    }
    const ttft = sampleLatency(config.ttft, rand);
    const genMs = (completionTokens / config.tokensPerSec) * 1000;
    const id = `chatcmpl-sim${deriveSeed(config.seed, raw).toString(16)}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    const account = (): void => {
      stats.tokens.prompt += promptTokens;
      stats.tokens.completion += completionTokens;
    };
    if (!stream) {
      later(ttft + genMs, res, () => {
        account();
        send(
          res,
          200,
          JSON.stringify({
            id,
            object: 'chat.completion',
            created,
            model,
            system_fingerprint: 'fp_clusterbench_sim',
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: text, refusal: null },
                logprobs: null,
                finish_reason: finish,
              },
            ],
            usage,
          }),
          g.headers,
        );
      });
      return;
    }
    stats.responses[200] = (stats.responses[200] ?? 0) + 1;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...g.headers,
    });
    const chunk = (delta: Record<string, unknown>, finishReason: string | null): string =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_clusterbench_sim', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] })}\n\n`;
    // Word-sized pieces paced so the whole completion takes completionTokens / tokensPerSec after the first one.
    const pieces = text.match(/\s*\S+/g) ?? [''];
    const tick = Math.max(15, genMs / pieces.length);
    let sent = 0;
    const step = (first: boolean): void => {
      const elapsed = first ? 0 : performance.now() - startGen;
      const due = first
        ? 1
        : Math.min(pieces.length, Math.max(sent + 1, Math.floor((elapsed / Math.max(genMs, 1e-9)) * pieces.length)));
      const content = pieces.slice(sent, due).join('');
      sent = due;
      res.write(chunk(first ? { role: 'assistant', content } : { content }, null));
      if (sent < pieces.length) {
        later(tick, res, () => step(false));
        return;
      }
      account();
      let tail = chunk({}, finish);
      if (body.stream_options?.include_usage)
        tail += `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`;
      res.end(`${tail}data: [DONE]\n\n`);
    };
    let startGen = 0;
    later(ttft, res, () => {
      startGen = performance.now();
      step(true);
    });
  };

  const embeddings = (raw: string, body: EmbeddingBody, req: http.IncomingMessage, res: http.ServerResponse): void => {
    const model = body.model;
    const input = body.input;
    const texts: string[] | undefined =
      typeof input === 'string'
        ? [input]
        : Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === 'string')
          ? input
          : Array.isArray(input) && input.length > 0 && input.every((x) => Array.isArray(x) || typeof x === 'number')
            ? (Array.isArray(input[0]) ? (input as number[][]) : [input as number[]]).map((ids) => decodeCl100k(ids))
            : undefined;
    if (typeof model !== 'string' || !texts) {
      send(
        res,
        400,
        openaiError(
          'model (string) and input (string, array of strings, or token arrays) are required',
          'invalid_request_error',
        ),
      );
      return;
    }
    if (texts.some((t) => t.length === 0)) {
      send(res, 400, openaiError("'$.input' is invalid: empty strings are not allowed", 'invalid_request_error'));
      return;
    }
    const dims = body.dimensions === undefined ? defaultEmbeddingDims(model) : Number(body.dimensions);
    if (!Number.isInteger(dims) || dims < 1 || dims > 8192) {
      send(res, 400, openaiError('dimensions must be an integer in [1, 8192]', 'invalid_request_error'));
      return;
    }
    const format = body.encoding_format ?? 'float';
    if (format !== 'float' && format !== 'base64') {
      send(res, 400, openaiError("encoding_format must be 'float' or 'base64'", 'invalid_request_error'));
      return;
    }
    stats.embeddingRequests++;
    const tok = tokenizer(model);
    const tokens = texts.reduce((s, t) => s + tok.count(t), 0);
    const rand = drawFor(raw);
    const g = gate(texts.join('\n'), model, tokens, res, req, rand, false);
    if (!g.ok) return;
    later(sampleLatency(config.embeddingLatency, rand), res, () => {
      const vecs = simulatedEmbeddings(texts, dims, config.seed);
      const asBase64 = format === 'base64' && !config.ignoreEncodingFormat;
      const data = texts.map((_, i) => {
        const v = vecs.subarray(i * dims, (i + 1) * dims);
        return {
          object: 'embedding',
          index: i,
          embedding: asBase64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v),
        };
      });
      stats.embeddingInputs += texts.length;
      stats.tokens.embedding += tokens;
      send(
        res,
        200,
        JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } }),
        g.headers,
      );
    });
  };

  const server = http.createServer((req, res) => {
    const url = req.url?.split('?')[0] ?? '/';
    if (req.method === 'GET' && url === '/stats') {
      send(res, 200, JSON.stringify(snapshot()));
      stats.responses[200]--; // /stats is not part of what was served
      return;
    }
    stats.requests++;
    stats.inFlight++;
    stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
    res.on('close', () => void stats.inFlight--);
    if (req.method === 'GET' && (url === '/v1/models' || url === '/models')) {
      stats.modelListings++;
      send(
        res,
        200,
        JSON.stringify({
          object: 'list',
          data: config.models.map((id) => ({
            id,
            object: 'model',
            created: 1700000000,
            owned_by: 'clusterbench-simulator',
          })),
        }),
      );
      return;
    }
    const route =
      req.method === 'POST' && (url === '/v1/chat/completions' || url === '/chat/completions')
        ? 'chat'
        : req.method === 'POST' && (url === '/v1/embeddings' || url === '/embeddings')
          ? 'embeddings'
          : undefined;
    if (!route) {
      send(res, 404, openaiError(`Unknown request URL: ${req.method} ${url}`, 'invalid_request_error', 'unknown_url'));
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else parts.push(c);
    });
    req.on('end', () => {
      const raw = Buffer.concat(parts).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        send(res, 400, openaiError('We could not parse the JSON body of your request.', 'invalid_request_error'));
        return;
      }
      if (route === 'chat') chat(raw, body as ChatBody, req, res);
      else embeddings(raw, body as EmbeddingBody, req, res);
    });
  });
  server.keepAliveTimeout = 30_000;

  const snapshot = (): SimulatorStats => ({ ...structuredClone(stats), uptimeMs: Date.now() - t0 });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(config.port, config.host, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host}:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    port,
    config,
    stats: snapshot,
    resetRateLimits: () => limiter.reset(),
    resetPeakInFlight: () => void (stats.peakInFlight = stats.inFlight),
    close: () =>
      new Promise<void>((resolveClose) => {
        closing = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
