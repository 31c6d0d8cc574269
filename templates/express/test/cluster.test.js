import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { test } from 'node:test';

/** GET URL on a fresh connection (so the cluster spreads the requests over its workers). */
function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

test('the cluster entry spreads requests over its workers and /metrics counts all of them', async (t) => {
  const primary = spawn(process.execPath, ['src/cluster.js'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', WEB_CONCURRENCY: '2', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => primary.kill('SIGKILL'));
  const lines = [];
  let listening = 0;
  let url;
  const up = new Promise((resolve) => {
    createInterface({ input: primary.stdout }).on('line', (text) => {
      const line = JSON.parse(text);
      lines.push(line);
      if (line.msg === 'listening' && ++listening === 2) resolve((url = line.url));
    });
  });
  await up;

  const total = 20;
  for (let i = 0; i < total; i += 1) {
    assert.equal((await get(`${url}/healthz`, { 'X-Request-ID': `cluster-${i}` })).status, 200);
  }
  const metrics = await get(`${url}/metrics`);
  assert.equal(metrics.status, 200);
  const counter = metrics.body.split('\n')
    .find((l) => l.startsWith('http_requests_total{method="GET",route="/healthz",status="200"} '));
  assert.equal(counter, `http_requests_total{method="GET",route="/healthz",status="200"} ${total}`);

  const started = Date.now();
  primary.kill('SIGTERM');
  const [code] = await once(primary, 'exit');
  assert.equal(code, 0);
  assert.ok(Date.now() - started < 10_000);
  const served = lines.filter((line) => line.request_id?.startsWith('cluster-'));
  assert.equal(served.length, total);
  assert.equal(new Set(served.map((line) => line.pid)).size, 2, 'both workers served requests');
});
