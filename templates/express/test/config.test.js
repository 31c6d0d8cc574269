import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { availableCpus, cgroupCpuLimit, ConfigError, logLevel, parseTrustProxy, port, positiveInt } from '../src/config.js';

/** A fake /sys/fs/cgroup and /proc/self/cgroup: FILES maps paths under the root to contents. */
function fakeCgroup(membership, files) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cgroup-'));
  const root = path.join(dir, 'sys');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  writeFileSync(path.join(dir, 'self'), membership);
  return { root, self: path.join(dir, 'self') };
}

describe('cgroupCpuLimit', () => {
  test('reads cgroup v2 cpu.max in a container with its own namespace', () => {
    assert.equal(cgroupCpuLimit(fakeCgroup('0::/\n', { 'cpu.max': '150000 100000\n' })), 1.5);
  });

  test('takes the smallest limit of the process cgroup and those above it', () => {
    const cgroup = fakeCgroup('0::/kubepods/pod1/app\n', {
      'kubepods/cpu.max': '400000 100000',
      'kubepods/pod1/cpu.max': '200000 100000',
      'kubepods/pod1/app/cpu.max': 'max 100000',
    });
    assert.equal(cgroupCpuLimit(cgroup), 2);
  });

  test('reads cgroup v1 cfs quota and period', () => {
    const membership = '4:cpu,cpuacct:/docker/abc\n0::/\n';
    const files = { 'cpu/docker/abc/cpu.cfs_quota_us': '50000', 'cpu/docker/abc/cpu.cfs_period_us': '100000' };
    assert.equal(cgroupCpuLimit(fakeCgroup(membership, files)), 0.5);
  });

  test('is undefined without a limit (v2 "max", v1 quota -1) or without cgroups', () => {
    assert.equal(cgroupCpuLimit(fakeCgroup('0::/\n', { 'cpu.max': 'max 100000' })), undefined);
    const v1 = { 'cpu/cpu.cfs_quota_us': '-1', 'cpu/cpu.cfs_period_us': '100000' };
    assert.equal(cgroupCpuLimit(fakeCgroup('1:cpu:/\n', v1)), undefined);
    assert.equal(cgroupCpuLimit({ root: '/nonexistent', self: '/nonexistent' }), undefined);
  });
});

describe('availableCpus', () => {
  const cpus = os.availableParallelism();

  test('rounds a limit down, never below 1, never above the CPUs we may run on', () => {
    assert.equal(availableCpus(0.5), 1);
    assert.equal(availableCpus(1.5), 1);
    assert.equal(availableCpus(cpus + 8), cpus);
  });

  test('is the CPU count without a limit', () => {
    assert.equal(availableCpus(undefined), cpus);
  });
});

describe('settings from the environment', () => {
  test('positiveInt reads whole numbers and names the variable when it cannot', () => {
    assert.equal(positiveInt('COMPUTE_WORKERS', 3, {}), 3);
    assert.equal(positiveInt('COMPUTE_WORKERS', 3, { COMPUTE_WORKERS: ' ' }), 3);
    assert.equal(positiveInt('COMPUTE_WORKERS', 3, { COMPUTE_WORKERS: '5' }), 5);
    for (const bad of ['0', '-1', '1.5', 'two']) {
      assert.throws(() => positiveInt('COMPUTE_WORKERS', 3, { COMPUTE_WORKERS: bad }),
        new ConfigError(`COMPUTE_WORKERS must be a positive integer, got "${bad}"`));
    }
  });

  test('port and LOG_LEVEL are checked', () => {
    assert.equal(port(3000, {}), 3000);
    assert.equal(port(3000, { PORT: '0' }), 0);
    assert.throws(() => port(3000, { PORT: '70000' }), ConfigError);
    assert.equal(logLevel({}), 'info');
    assert.equal(logLevel({ LOG_LEVEL: 'WARN' }), 'warn');
    assert.throws(() => logLevel({ LOG_LEVEL: 'loud' }), /LOG_LEVEL must be one of fatal, error/);
  });

  test('TRUST_PROXY is off when unset and reads hop counts, booleans and address lists', () => {
    assert.equal(parseTrustProxy(undefined), false);
    assert.equal(parseTrustProxy(''), false);
    assert.equal(parseTrustProxy('1'), 1);
    assert.equal(parseTrustProxy('true'), true);
    assert.equal(parseTrustProxy('false'), false);
    assert.equal(parseTrustProxy('loopback, 10.0.0.0/8'), 'loopback, 10.0.0.0/8');
  });
});
