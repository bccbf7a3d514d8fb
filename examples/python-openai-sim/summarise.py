#!/usr/bin/env python3
"""A clusterbench command stage: summarise conversations through an OpenAI-compatible chat API (Kura's first step).

Standard library only (urllib, threads). It reads OPENAI_BASE_URL and OPENAI_API_KEY like the openai SDK; with
`api: simulated` clusterbench points them at its in-process simulator, so the pipeline can be load-tested offline
with the simulator's rate limits and faults. Options (profile `options:`, passed in the manifest): model,
maxTokens, concurrency, maxRetries. Writes one summary per conversation (summaries.jsonl) and its API counters
and latencies (metrics.json), which clusterbench puts in the report's "API calls" table.
"""
import json
import os
import random
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

SYSTEM = "Summarise what the user wants in one short sentence. Do not mention the assistant."


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counters = {"requests": 0, "retries": 0, "http429": 0, "http5xx": 0, "http4xx": 0, "networkErrors": 0, "errors": 0}
        self.latency = []

    def count(self, name, delta=1):
        with self.lock:
            self.counters[name] += delta


def summarise(conversation, base_url, api_key, options, stats, rng):
    body = json.dumps({
        "model": options.get("model", "gpt-4o-mini"),
        "max_tokens": options.get("maxTokens", 64),
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": conversation[:8000]}],
    }).encode()
    t0 = time.monotonic()
    for attempt in range(options.get("maxRetries", 4) + 1):
        if attempt > 0:
            stats.count("retries")
        stats.count("requests")
        req = urllib.request.Request(f"{base_url.rstrip('/')}/chat/completions", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"})
        wait = min(8.0, 0.25 * 2 ** attempt) * (0.5 + rng.random())
        try:
            with urllib.request.urlopen(req, timeout=options.get("requestTimeoutSec", 10)) as res:
                answer = json.loads(res.read())
            text = answer["choices"][0]["message"]["content"]
            with stats.lock:
                stats.latency.append((time.monotonic() - t0) * 1000)
            return " ".join(text.split())
        except urllib.error.HTTPError as e:
            if e.code == 429:
                stats.count("http429")
                ms = e.headers.get("retry-after-ms")
                wait = float(ms) / 1000 if ms else wait
            elif e.code >= 500:
                stats.count("http5xx")
            else:
                stats.count("http4xx")
                break  # not retryable (e.g. a content-policy 400)
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError):
            stats.count("networkErrors")
        except (ValueError, KeyError, IndexError, TypeError):
            pass  # a malformed 200: retry
        time.sleep(wait)
    stats.count("errors")
    return ""


def main():
    manifest = json.load(open(os.environ["CLUSTERBENCH_MANIFEST"], encoding="utf-8"))
    base_url = os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1")
    api_key = os.environ.get("OPENAI_API_KEY")
    if not api_key:
        print("OPENAI_API_KEY is not set (use `api: simulated` in the profile for the offline simulator)", file=sys.stderr)
        return 2
    options = manifest["options"]
    with open(manifest["inputs"]["conversations"]["path"], encoding="utf-8") as f:
        conversations = [json.loads(line) for line in f]
    stats = Stats()
    rng = random.Random(manifest["seed"])
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=int(options.get("concurrency", 8))) as pool:
        summaries = list(pool.map(lambda c: summarise(c, base_url, api_key, options, stats, random.Random(rng.random())), conversations))
    call_phase_ms = (time.monotonic() - t0) * 1000
    with open(manifest["outputs"]["summaries"]["path"], "w", encoding="utf-8") as f:
        for s in summaries:
            f.write(json.dumps(s) + "\n")
    with open(manifest["metrics"], "w", encoding="utf-8") as f:
        json.dump({"counters": {**stats.counters, "callPhaseMs": call_phase_ms}, "observations": {"latencyMs": stats.latency}}, f)
    print(f"{len(conversations)} conversations, {stats.counters['requests']} requests, {stats.counters['errors']} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
