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
 * every line of the turn. OUT gets them as one Buffer (encoded once; a string would be measured
 * and then encoded again). No line waits longer than the current turn, and what is pending when
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
    const text = Buffer.from(this.#lines.join(''));
    this.#lines = [];
    this.#out.write(text);
  }
}

// What every line carries besides level and time: the process id (which worker of the cluster
// entry wrote it).
const BASE = { pid: process.pid };
const BASE_MEMBERS = JSON.stringify(BASE).slice(1, -1);
// The level as its name (`"level":"info"`), not pino's number.
const levelField = (label) => ({ level: label });

// The destination of each logger createLogger made, for lineWriter.
const destinations = new WeakMap();

/**
 * A pino logger: `level` as a name, ISO 8601 `time`, and the process id (which worker of the
 * cluster entry wrote the line). Writes to stdout through pino's synchronous destination, batched
 * per event-loop turn (PerTurnWriter); tests pass their own DESTINATION.
 */
export function createLogger({
  level = 'info',
  destination = new PerTurnWriter(pino.destination({ sync: true, contentMode: 'buffer' })),
} = {}) {
  const logger = pino(
    { level, base: BASE, timestamp: isoTime, formatters: { level: levelField } },
    destination,
  );
  destinations.set(logger, destination);
  return logger;
}

/**
 * `logger[level](fields, msg)` for a line written on every request, where pino's generic
 * serializer (a loop escaping each key and value) measured more than half of the access log's
 * cost. Returns `write(members)`: MEMBERS are the line's own fields already serialized, as JSON
 * object members without the braces (`"status":200,"path":"/"`, each value through
 * JSON.stringify). The line is the one pino writes for the same fields, byte for byte
 * (test/logger.test.js compares them), goes to the same destination and obeys the logger's
 * level as it is at each call. A logger that createLogger did not make is handed the parsed
 * fields instead.
 */
export function lineWriter(logger, level, msg) {
  const destination = destinations.get(logger);
  if (destination === undefined) return (members) => logger[level](JSON.parse(`{${members}}`), msg);
  const head = JSON.stringify(levelField(level)).slice(0, -1); // without its closing brace
  const base = `,${BASE_MEMBERS},`;
  const tail = `,"msg":${JSON.stringify(msg)}}\n`;
  return (members) => {
    if (logger.isLevelEnabled(level)) destination.write(head + isoTime() + base + members + tail);
  };
}
