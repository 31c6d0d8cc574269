// Logs are JSON lines on stdout, one per request (see telemetry.js) plus whatever the app logs,
// for the platform's log collector to ship. pino builds and writes them.
import { pino } from 'pino';

// ISO 8601 time, formatted at most once per millisecond: under load many lines share one, and
// formatting a date costs more than the rest of the line.
let lastMs = 0;
let lastTime = '';
function isoTime() {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/**
 * Hands lines to OUT once per turn of the event loop instead of once per line. A write to stdout
 * is a system call, which costs more than building the line: under load one write now carries
 * every line of the turn. No line waits longer than the current turn, and what is pending when
 * the process exits (even on an uncaught exception) is written first.
 */
export class PerTurnWriter {
  #out;
  #lines = [];
  #scheduled = false;

  constructor(out) {
    this.#out = out;
    process.once('exit', () => this.flush());
  }

  write(line) {
    this.#lines.push(line);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush() {
    this.#scheduled = false;
    if (this.#lines.length === 0) return;
    const text = this.#lines.join('');
    this.#lines = [];
    this.#out.write(text);
  }
}

/**
 * A pino logger: `level` as a name, ISO 8601 `time`, and the process id (which worker of the
 * cluster entry wrote the line). Writes to stdout through pino's synchronous destination, batched
 * per event-loop turn (PerTurnWriter); tests pass their own DESTINATION.
 */
export function createLogger({
  level = 'info',
  destination = new PerTurnWriter(pino.destination({ sync: true })),
} = {}) {
  return pino(
    { level, base: { pid: process.pid }, timestamp: isoTime, formatters: { level: (label) => ({ level: label }) } },
    destination,
  );
}
