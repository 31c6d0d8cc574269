// Optional entry for a single VM without an orchestrator: a primary process forks
// WEB_CONCURRENCY copies of src/server.js that share the port. In containers, run
// src/server.js (one process per container) and scale with replicas instead.
import cluster from 'node:cluster';
import { availableCpus, ConfigError, logLevel, positiveInt } from './config.js';
import { createLogger } from './logger.js';
import { gatherWorkerMetrics } from './metrics.js';

if (cluster.isPrimary) {
  let count, logger;
  try {
    // One worker per CPU the container's quota allows (not the host's count), unless set.
    count = positiveInt('WEB_CONCURRENCY', availableCpus());
    logger = createLogger({ level: logLevel() });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }

  const listening = new Set();
  let alive = 0;
  let stopping = false;
  let exitCode = 0;

  // A scrape of /metrics on any worker answers the sum over the workers in `listening`.
  gatherWorkerMetrics(() => listening);

  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    // Each worker drains its own connections on SIGTERM (see server.js).
    for (const worker of Object.values(cluster.workers)) {
      if (!worker.isDead()) worker.process.kill('SIGTERM');
    }
  };

  cluster.on('fork', () => {
    alive += 1;
  });
  cluster.on('listening', (worker) => listening.add(worker));
  cluster.on('exit', (worker, code, signal) => {
    alive -= 1;
    const served = listening.delete(worker);
    if (!stopping && served) {
      logger.error({ worker: worker.process.pid, code, signal }, 'worker died; replacing it');
      cluster.fork();
      return;
    }
    if (!stopping) {
      // It never got as far as listening (busy port, bad config): restarting would only loop.
      logger.error({ worker: worker.process.pid, code, signal }, 'worker failed to start; stopping');
      stop(1);
    } else if (code !== 0) {
      exitCode = 1;
    }
    if (alive === 0) process.exit(exitCode);
  });

  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));

  logger.info({ workers: count }, 'primary starting workers');
  for (let i = 0; i < count; i += 1) cluster.fork();
} else {
  await import('./server.js');
}
