// Prometheus metrics on GET /metrics: requests and their latency by route and status, plus
// prom-client's default process metrics (CPU, memory, event-loop lag, GC). Under the cluster
// entry each worker counts its own requests, and /metrics answers the sum over all workers,
// whichever worker the scrape lands on (the primary gathers them over the cluster's IPC channel).
import cluster from 'node:cluster';
import client from 'prom-client';

const SNAPSHOT_REQUEST = 'metrics:snapshot-request';
const SNAPSHOT = 'metrics:snapshot';
const COLLECT = 'metrics:collect';
const COLLECTED = 'metrics:collected';
const TIMEOUT_MS = 3_000;

const registry = client.register;
client.collectDefaultMetrics({ register: registry });

// The request metrics count in plain numbers on the hot path and take prom-client's metric form
// only when scraped. prom-client's own Counter and Histogram hash the label values on every
// call, which measured here cost more than a tenth of a hello-world request; these keep one
// Series object per method, route and status instead. Registered like any prom-client metric,
// they share its text format, its registry and its cluster aggregation.
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

class Series {
  constructor(method, route, status) {
    this.labels = { method, route, status: String(status) };
    this.count = 0;
    this.sum = 0;
    this.perBucket = new Array(BUCKETS.length).fill(0); // not cumulative: one bucket per request
  }
}

const series = new Map(); // route -> method -> status -> Series

/** Count and time one answered request; ROUTE is the route's pattern (`/items/:id`), not the path. */
export function recordRequest(method, route, status, seconds) {
  let byMethod = series.get(route);
  if (byMethod === undefined) series.set(route, (byMethod = new Map()));
  let byStatus = byMethod.get(method);
  if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
  let one = byStatus.get(status);
  if (one === undefined) byStatus.set(status, (one = new Series(method, route, status)));
  one.count += 1;
  one.sum += seconds;
  let bucket = 0;
  while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]) bucket += 1;
  if (bucket < BUCKETS.length) one.perBucket[bucket] += 1;
}

function* allSeries() {
  for (const byMethod of series.values()) for (const byStatus of byMethod.values()) yield* byStatus.values();
}

function histogramValues(name) {
  const values = [];
  for (const { labels, count, sum, perBucket } of allSeries()) {
    let cumulative = 0;
    BUCKETS.forEach((le, i) => {
      cumulative += perBucket[i];
      values.push({ metricName: `${name}_bucket`, labels: { le, ...labels }, value: cumulative });
    });
    values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...labels }, value: count });
    values.push({ metricName: `${name}_sum`, labels, value: sum });
    values.push({ metricName: `${name}_count`, labels, value: count });
  }
  return values;
}

/** A metric in the shape prom-client's registry reads (its MetricObjectWithValues), made when scraped. */
function register(name, help, type, values) {
  const describe = { name, help, type, aggregator: 'sum' };
  registry.registerMetric({
    ...describe,
    get: async () => ({ ...describe, values: values(name) }),
    reset: () => series.clear(),
  });
}

register('http_requests_total', 'HTTP requests answered, by method, route and status.', 'counter',
  () => [...allSeries()].map(({ labels, count }) => ({ labels, value: count })));
register('http_request_duration_seconds',
  'Time from receiving a request to finishing its response, by method, route and status.', 'histogram',
  histogramValues);

class MetricsUnavailableError extends Error {
  status = 503;
  expose = true;
}

// In a cluster worker: ask the primary for the sum over all workers, and answer its requests
// for this worker's own numbers.
const waiting = new Map();
let nextRequest = 0;
if (cluster.isWorker) {
  process.on('message', (message) => {
    if (message?.type === SNAPSHOT_REQUEST) {
      registry.getMetricsAsJSON().then((metrics) => {
        if (process.connected) process.send({ type: SNAPSHOT, id: message.id, metrics }); // not when shutting down
      });
    } else if (message?.type === COLLECTED) {
      waiting.get(message.id)?.(message);
    }
  });
}

function fromPrimary() {
  const id = nextRequest++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new MetricsUnavailableError('The cluster primary did not answer with metrics'));
    }, TIMEOUT_MS);
    waiting.set(id, ({ text, error }) => {
      clearTimeout(timer);
      waiting.delete(id);
      if (error === undefined) resolve(text);
      else reject(new MetricsUnavailableError(error));
    });
    process.send({ type: COLLECT, id });
  });
}

/** GET /metrics: Prometheus' text format, summed over every worker under the cluster entry. */
export async function metricsHandler(req, res, next) {
  try {
    const text = cluster.isWorker ? await fromPrimary() : await registry.metrics();
    res.set('Content-Type', registry.contentType).send(text);
  } catch (err) {
    next(err);
  }
}

/**
 * In the cluster primary: answer a worker's COLLECT by asking every worker that serves requests
 * (WORKERS() lists them; a worker still starting has no numbers and could not answer) for its
 * numbers and summing them with prom-client's aggregator.
 */
export function gatherWorkerMetrics(workers) {
  const pending = new Map();
  let nextSnapshot = 0;

  async function collect(requester) {
    const targets = new Set([requester, ...workers()].filter((worker) => worker.isConnected()));
    const id = nextSnapshot++;
    const snapshots = await new Promise((resolve, reject) => {
      const got = new Map();
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${targets.size - got.size} of ${targets.size} workers sent no metrics`));
      }, TIMEOUT_MS);
      pending.set(id, (worker, metrics) => {
        if (!targets.has(worker)) return;
        got.set(worker, metrics);
        if (got.size < targets.size) return;
        clearTimeout(timer);
        pending.delete(id);
        resolve([...got.values()]);
      });
      for (const worker of targets) worker.send({ type: SNAPSHOT_REQUEST, id });
    });
    return client.AggregatorRegistry.aggregate(snapshots).metrics();
  }

  cluster.on('message', (worker, message) => {
    if (message?.type === SNAPSHOT) {
      pending.get(message.id)?.(worker, message.metrics);
    } else if (message?.type === COLLECT) {
      const reply = (answer) => worker.isConnected() && worker.send({ type: COLLECTED, id: message.id, ...answer });
      collect(worker).then((text) => reply({ text }), (err) => reply({ error: err.message }));
    }
  });
}
