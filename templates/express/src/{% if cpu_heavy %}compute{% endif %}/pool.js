import { Worker } from 'node:worker_threads';

/** Raised when every worker is busy and the queue is full; the error handler answers 503. */
export class QueueFullError extends Error {
  status = 503;
  expose = true;

  constructor() {
    super('Too many computations in progress, retry later');
  }
}

/**
 * A fixed number of worker threads, each running one task at a time, and a bounded queue in
 * front of them: under overload, callers get a QueueFullError instead of unbounded latency.
 */
export class WorkerPool {
  #file;
  #size;
  #maxQueue;
  #workers = new Set();
  #idle = [];
  #busy = new Map(); // worker -> task it is running
  #queue = []; // tasks waiting for a worker

  constructor(file, { size, maxQueue = size * 32 }) {
    this.#file = file;
    this.#size = size;
    this.#maxQueue = maxQueue;
  }

  /** Run one task on a worker; resolves with the worker's reply. */
  run(data) {
    return new Promise((resolve, reject) => {
      const task = { data, resolve, reject };
      const worker = this.#idle.pop() ?? (this.#workers.size < this.#size ? this.#spawn() : undefined);
      if (worker) this.#dispatch(worker, task);
      else if (this.#queue.length < this.#maxQueue) this.#queue.push(task);
      else reject(new QueueFullError());
    });
  }

  #spawn() {
    const worker = new Worker(this.#file);
    let failure;
    worker.on('message', (result) => {
      this.#busy.get(worker).resolve(result);
      this.#busy.delete(worker);
      this.#next(worker);
    });
    worker.on('error', (err) => {
      failure = err;
    });
    worker.on('exit', (code) => {
      this.#workers.delete(worker);
      this.#idle = this.#idle.filter((w) => w !== worker);
      this.#busy.get(worker)?.reject(failure ?? new Error(`Worker exited with code ${code}`));
      this.#busy.delete(worker);
      // Replace the lost worker if tasks are waiting for one.
      const task = this.#queue.shift();
      if (task) this.#dispatch(this.#spawn(), task);
    });
    this.#workers.add(worker);
    return worker;
  }

  #dispatch(worker, task) {
    worker.ref();
    this.#busy.set(worker, task);
    worker.postMessage(task.data);
  }

  #next(worker) {
    const task = this.#queue.shift();
    if (task) {
      this.#dispatch(worker, task);
    } else {
      worker.unref(); // an idle worker must not keep the process alive (tests, shutdown)
      this.#idle.push(worker);
    }
  }
}
