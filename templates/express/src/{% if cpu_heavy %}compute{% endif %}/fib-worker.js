// Entry point of each worker thread in the pool: one message in, one result out.
import { parentPort } from 'node:worker_threads';
import { fib } from './fib.js';

parentPort.on('message', (n) => {
  parentPort.postMessage(fib(n));
});
