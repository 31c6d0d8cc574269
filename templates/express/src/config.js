// Settings read from the environment, checked once at start-up: a bad value stops the process
// with one line naming the variable (see server.js) instead of failing later under load.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A setting that cannot be used; its message names the variable and the value. */
export class ConfigError extends Error {}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The environment variable NAME as a positive integer, or FALLBACK when it is unset or empty. */
export function positiveInt(name, fallback, env = process.env) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) {
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

/** LOG_LEVEL, one of pino's levels; `info` when unset. */
export function logLevel(env = process.env) {
  const level = (env.LOG_LEVEL || 'info').trim().toLowerCase();
  if (!LOG_LEVELS.includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  return level;
}

/** PORT as a TCP port number, FALLBACK when unset. */
export function port(fallback, env = process.env) {
  const raw = env.PORT;
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value > 65535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535, got "${raw}"`);
  }
  return value;
}

/**
 * Turn TRUST_PROXY into Express's `trust proxy` setting: unset or empty = off, a number = that many
 * proxy hops, `true`/`false`, anything else = Express's own syntax (`loopback`, IPs, subnets).
 * Prefer a hop count or addresses: `true` trusts any client-supplied X-Forwarded-For.
 */
export function parseTrustProxy(value) {
  if (value === undefined || value.trim() === '') return false;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  return trimmed;
}

function readText(file) {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** DIR, its parents, ... up to MOUNT: a limit set on any enclosing cgroup applies to us too. */
function* upTo(mount, relative) {
  let dir = path.join(mount, relative);
  while (dir.startsWith(mount)) {
    yield dir;
    if (dir === mount) return;
    dir = path.dirname(dir);
  }
}

/**
 * The CPU limit the container runtime set through cgroups, in CPUs (1.5 for a 1500m limit), or
 * undefined when there is none. Reads cgroup v2's `cpu.max`, else v1's `cpu.cfs_quota_us` and
 * `cpu.cfs_period_us`, in this process's cgroup and every cgroup above it up to the mount point
 * (in a container with its own cgroup namespace that is the mount point itself).
 */
export function cgroupCpuLimit({ root = '/sys/fs/cgroup', self = '/proc/self/cgroup' } = {}) {
  // Lines look like "0::/kubepods/pod1/abc" (v2) or "4:cpu,cpuacct:/docker/abc" (v1).
  const entries = (readText(self) ?? '').split('\n').map((line) => line.split(':'));
  const v2 = entries.find(([id, controllers]) => id === '0' && controllers === '')?.[2] ?? '/';
  const v1 = entries.find(([, controllers]) => controllers?.split(',').includes('cpu'))?.[2] ?? '/';
  const limits = [];
  for (const dir of upTo(root, v2)) {
    const [quota, period] = (readText(path.join(dir, 'cpu.max')) ?? 'max').split(/\s+/);
    if (quota !== 'max' && Number(quota) > 0 && Number(period) > 0) limits.push(Number(quota) / Number(period));
  }
  if (limits.length === 0) {
    for (const dir of upTo(path.join(root, 'cpu'), v1)) {
      const quota = Number(readText(path.join(dir, 'cpu.cfs_quota_us')));
      const period = Number(readText(path.join(dir, 'cpu.cfs_period_us')));
      if (quota > 0 && period > 0) limits.push(quota / period); // -1 = no limit
    }
  }
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

/**
 * CPUs this process may really use: the cgroup limit rounded down (a 1.5-CPU limit gives 1, so
 * busy threads are not throttled), capped by the CPUs it may run on, at least 1. Inside a
 * container os.availableParallelism() alone can report the whole host.
 */
export function availableCpus(limit = cgroupCpuLimit()) {
  const cpus = os.availableParallelism();
  return Math.max(1, Math.min(cpus, limit === undefined ? cpus : Math.floor(limit)));
}
