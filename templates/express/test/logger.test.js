import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setImmediate as turn } from 'node:timers/promises';
import { test } from 'node:test';
import express from 'express';
import request from 'supertest';
import { createLogger, lineWriter, PerTurnWriter } from '../src/logger.js';
import { telemetry } from '../src/telemetry.js';

const TIME = /"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/;

/** A logger whose raw lines land in `lines`. */
function capturing(level = 'info') {
  const lines = [];
  return { lines, logger: createLogger({ level, destination: { write: (line) => lines.push(line) } }) };
}

/** LINE with its time replaced by a fixed one, after checking it has one. */
function timeless(line) {
  assert.match(line, TIME);
  return line.replace(TIME, '"time":"T"');
}

test('lineWriter writes the line pino writes for the same fields, byte for byte', () => {
  const { lines, logger } = capturing();
  const completed = lineWriter(logger, 'info', 'request completed');
  const cases = [
    { request_id: 'abc-123.X_y', method: 'GET', path: '/', status: 200, duration_ms: 0.52 },
    { request_id: 'r', method: 'POST', path: '/a"b\\c\n\t\u0001', status: 404, duration_ms: 12 },
    { request_id: 'r', method: 'GET', path: '/caf\u00e9/\u00ff/%22/\u20ac', status: 304, duration_ms: 0 },
  ];
  for (const fields of cases) {
    completed(JSON.stringify(fields).slice(1, -1));
    logger.info(fields, 'request completed');
    const [fast, pino] = lines.splice(0).map(timeless);
    assert.equal(fast, pino);
    assert.deepEqual(JSON.parse(fast), { level: 'info', time: 'T', pid: process.pid, ...fields, msg: 'request completed' });
  }
});

test('the access line of a request through the app is the line pino would write', async () => {
  const { lines, logger } = capturing();
  const app = express();
  const observe = telemetry(app, logger);
  app.use((req, res, next) => { observe(req, res); next(); });
  app.get('/items/:id', (req, res) => res.json({ id: req.params.id }));
  await request(app).get('/items/%22quoted%22?token=secret').set('X-Request-ID', 'line-1').expect(200);
  await turn(); // written when the response closes
  assert.equal(lines.length, 1);
  const { level, time, pid, msg, ...fields } = JSON.parse(lines[0]);
  assert.deepEqual([level, pid, msg], ['info', process.pid, 'request completed']);
  assert.deepEqual(Object.keys(fields), ['request_id', 'method', 'path', 'status', 'duration_ms']);
  assert.equal(fields.path, '/items/%22quoted%22'); // as requested, without the query string
  logger.info(fields, msg);
  assert.equal(timeless(lines[0]), timeless(lines[1]));
  assert.ok(!Number.isNaN(Date.parse(time)));
});

test('lineWriter obeys the logger level as it is at each call', () => {
  const { lines, logger } = capturing();
  const info = lineWriter(logger, 'info', 'request completed');
  const error = lineWriter(logger, 'error', 'request failed');
  logger.level = 'warn';
  info('"status":200');
  error('"status":500');
  logger.level = 'info';
  info('"status":201');
  assert.deepEqual(lines.map((line) => [JSON.parse(line).level, JSON.parse(line).status]), [['error', 500], ['info', 201]]);
});

test('lineWriter hands a logger it did not make the parsed fields', () => {
  const { lines, logger } = capturing();
  const child = logger.child({ component: 'api' });
  lineWriter(child, 'info', 'request completed')('"status":200,"path":"/"');
  const { time, ...rest } = JSON.parse(lines[0]);
  assert.deepEqual(rest, { level: 'info', pid: process.pid, component: 'api', status: 200, path: '/', msg: 'request completed' });
  assert.ok(!Number.isNaN(Date.parse(time)));
});

test('PerTurnWriter hands every line of a turn to its output in one Buffer, in order', async () => {
  const writes = [];
  const writer = new PerTurnWriter({ write: (chunk) => writes.push(chunk) });
  writer.write('a\n');
  writer.write('b\n');
  assert.deepEqual(writes, []); // nothing before the turn ends
  await turn();
  writer.write('c\n');
  await turn();
  assert.ok(writes.every((chunk) => Buffer.isBuffer(chunk)));
  assert.deepEqual(writes.map(String), ['a\nb\n', 'c\n']);
});

test('lines still pending are written when the process exits, even on an uncaught exception', () => {
  const logger = new URL('../src/logger.js', import.meta.url).href;
  for (const ending of ['process.exit(0)', "throw new Error('boom')"]) {
    const script = `
      import { createLogger, lineWriter } from ${JSON.stringify(logger)};
      const logger = createLogger();
      logger.info({ step: 1 }, 'before');
      lineWriter(logger, 'info', 'request completed')('"status":200');
      ${ending};`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const lines = child.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(lines.map((line) => line.msg), ['before', 'request completed'], child.stderr);
  }
});
