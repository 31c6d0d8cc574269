// Optional entry for a single VM without an orchestrator: a primary process forks
// WEB_CONCURRENCY copies of src/server.js that share the port. In containers, run
// src/server.js (one process per container) and scale with replicas instead.
import cluster from 'node:cluster';
import os from 'node:os';

if (cluster.isPrimary) {
  const count = Number(process.env.WEB_CONCURRENCY || os.availableParallelism());
  if (!Number.isInteger(count) || count < 1) {
    console.error(`WEB_CONCURRENCY must be a positive integer, got "${process.env.WEB_CONCURRENCY}"`);
    process.exit(1);
  }

  const listening = new WeakSet();
  let alive = 0;
  let stopping = false;
  let exitCode = 0;

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
    if (!stopping && listening.has(worker)) {
      console.error(`Worker ${worker.process.pid} died (${signal ?? `exit ${code}`}); replacing it`);
      cluster.fork();
      return;
    }
    if (!stopping) {
      // It never got as far as listening (busy port, bad config): restarting would only loop.
      console.error(`Worker ${worker.process.pid} failed to start; stopping`);
      stop(1);
    } else if (code !== 0) {
      exitCode = 1;
    }
    if (alive === 0) process.exit(exitCode);
  });

  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));

  console.log(`Primary ${process.pid} starting ${count} workers`);
  for (let i = 0; i < count; i += 1) cluster.fork();
} else {
  await import('./server.js');
}
