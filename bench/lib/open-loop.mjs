// An open-model load: requests arrive at a fixed mean rate whatever the server does, and each
// request's latency runs from the moment it was due to the end of its answer.
//
// autocannon is a closed loop: each of its connections sends its next request only once the
// last one was answered (`overallRate` and `connectionRate` only slow that down). When the
// server falls behind, requests wait in the load generator instead of at the server, and
// their latency clock starts only when they are sent (coordinated omission): the p99 of a
// closed loop hides the queueing a real arrival rate meets, and its arrivals slow down with
// the server. Here arrivals are a Poisson process (independent logins, exponential gaps,
// from a seeded generator so that every peer gets the same sequence), sent at their time on
// a keep-alive pool with no socket limit: a request never waits for a connection (a new one
// opens when none is free), so no request is held back by another's slowness, and the
// server sees what it sees behind a reverse proxy or load balancer, which keeps its
// connections to the app open. The load generator's own lag (how late a request left) is
// reported, so that a run where the runner fell behind is seen.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** The connection pool of a load: keep-alive, no socket limit. Share one across a warm-up and its window. */
export function openLoopAgent() {
  return new Agent({ keepAlive: true, maxSockets: Infinity });
}

/**
 * Sends `next()` (`{ method?, path, headers?, body? }`) to `url` at `rate` a second for
 * `duration` seconds on `agent`, and waits for every answer (or `timeoutMs`). Answers the
 * statuses, the latencies of the answers with status `ok`, the errors, and the lag.
 */
export async function openLoop({
  url,
  rate,
  duration,
  next,
  seed = 1,
  agent = openLoopAgent(),
  timeoutMs = 10_000,
  ok = (status) => status >= 200 && status < 400,
}) {
  const { hostname, port } = new URL(url);
  const gap = poissonGaps(seed, rate);
  const statuses = {};
  const latencies = [];
  const lags = [];
  const failures = [];
  let errors = 0;
  let timeouts = 0;
  const inFlight = new Set();

  let retried = 0;

  const fire = (due) => {
    const { method = 'GET', path, headers = {}, body } = next();
    lags.push(performance.now() - due);
    const done = new Promise((resolve) => {
      const send = (attempt) => {
        const req = request({ hostname, port, path, method, headers, agent }, (res) => {
          const good = ok(res.statusCode);
          // Only a failure's body is read (its start, for the report); a good answer's is drained.
          let text = '';
          if (good) res.resume();
          else {
            res.setEncoding('utf8');
            res.on('data', (chunk) => {
              if (text.length < 512) text += chunk;
            });
          }
          res.on('end', () => {
            const ms = performance.now() - due;
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            if (good) latencies.push(ms);
            else if (failures.length < 5) failures.push(`${res.statusCode} ${text.slice(0, 200)}`);
            resolve();
          });
        });
        req.setTimeout(timeoutMs, () => {
          timeouts++;
          req.destroy(new Error('timeout'));
        });
        req.on('error', (error) => {
          // A kept-alive connection the server closed (its keep-alive timeout) just as this request
          // left on it: sent again, as a reverse proxy does, its clock kept running. The server
          // closes the sockets one burst opened at once, so the next free one may be closing too.
          if (attempt < 3 && req.reusedSocket && error.code === 'ECONNRESET') {
            retried++;
            send(attempt + 1);
            return;
          }
          errors++;
          if (failures.length < 5) failures.push(error.message);
          resolve();
        });
        req.end(body);
      };
      send(1);
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };

  const start = performance.now();
  const end = start + duration * 1000;
  let due = start + gap();
  while (due < end) {
    const wait = due - performance.now();
    if (wait >= 1) await sleep(Math.floor(wait));
    while (due <= performance.now() && due < end) {
      fire(due);
      due += gap();
    }
  }
  await Promise.all(inFlight);
  const sent = lags.length;
  const sorted = Float64Array.from(latencies).sort();
  return {
    sent,
    rate: sent / duration,
    statuses,
    completed: latencies.length,
    errors,
    timeouts,
    retried,
    failures,
    p50: nearestRank(sorted, 50),
    p99: nearestRank(sorted, 99),
    max: sorted.at(-1) ?? -Infinity,
    lagP99: percentile(lags, 99),
  };
}

/** The p-th percentile (nearest rank) of `values`, or null when empty. */
export function percentile(values, p) {
  return nearestRank(Float64Array.from(values).sort(), p);
}

/** The p-th percentile (nearest rank) of `sorted` values, or null when empty. */
function nearestRank(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The gaps in ms between arrivals of a Poisson process at `rate` a second (exponential, seeded). */
export function poissonGaps(seed, rate) {
  const random = mulberry32(seed);
  return () => (-Math.log(1 - random()) * 1000) / rate;
}

/** A small seeded generator of uniform numbers in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
