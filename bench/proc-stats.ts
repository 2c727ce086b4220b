/**
 * CPU time and memory of child processes read from Linux's /proc, so that measuring them costs the
 * measured process nothing (no request to it, no sampling inside it).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** Linux's USER_HZ: /proc reports CPU time in these ticks; it is 100 on every common platform. */
const ticksPerSecond = 100;

/** User + system CPU time in milliseconds, or undefined when /proc cannot be read (not Linux, or gone). */
export function cpuMillis(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(fields[11]);
    const system = Number(fields[12]);
    return ((user + system) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

export interface MemorySample {
  /** Resident set size now. */
  rssBytes: number;
  /** The highest resident set size since the process started ("high water mark"). */
  peakRssBytes: number;
}

export function memoryOf(pid: number): MemorySample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kilobytes = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rssBytes: kilobytes('VmRSS'), peakRssBytes: kilobytes('VmHWM') };
  } catch {
    return undefined;
  }
}

/** CPU time used by the whole machine (all cores, all processes), in milliseconds. */
function machineBusyMillis(): number | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: everything but idle and iowait is busy.
    const busy = fields.reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
    return (busy * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

export interface CpuMeter {
  /**
   * The share of the machine's CPU capacity (0–1, all cores) that processes other than the
   * benchmark's own used since the meter started: how much other work disturbed the measurement.
   */
  backgroundShare(): number | undefined;
}

/** Starts counting CPU time; `ownPids` are the benchmark's processes (this one is added). */
export function startCpuMeter(ownPids: number[], cores: number): CpuMeter {
  const pids = [process.pid, ...ownPids];
  const own = (): number => pids.reduce((sum, pid) => sum + (cpuMillis(pid) ?? 0), 0);
  const startedAt = performance.now();
  const machineBefore = machineBusyMillis();
  const ownBefore = own();
  return {
    backgroundShare() {
      const machineAfter = machineBusyMillis();
      if (machineBefore === undefined || machineAfter === undefined) return undefined;
      const background = machineAfter - machineBefore - (own() - ownBefore);
      return Math.max(0, background / ((performance.now() - startedAt) * cores));
    },
  };
}

/**
 * Waits until the benchmark's processes use almost no CPU (under 3% over 250 ms), so that one
 * measurement does not pay for work another left behind (Fener writing its traces, a garbage
 * collection); then, for at most `machineTimeoutMs`, until the rest of the machine uses under a
 * quarter of it, so that a round starts in a calm moment if one comes. Both waits are bounded:
 * a benchmark must end. Resolves with the background share seen last (undefined without /proc).
 */
export async function waitForQuiet(
  pids: number[],
  options: { timeoutMs?: number; machineTimeoutMs?: number } = {},
): Promise<number | undefined> {
  const windowMs = 250;
  const cores = cpus().length;
  let deadline = Date.now() + (options.timeoutMs ?? 8_000);
  while (Date.now() < deadline) {
    const before = pids.reduce((sum, pid) => sum + (cpuMillis(pid) ?? 0), 0);
    await sleep(windowMs);
    if (pids.reduce((sum, pid) => sum + (cpuMillis(pid) ?? 0), 0) - before < windowMs * 0.03) break;
  }
  deadline = Date.now() + (options.machineTimeoutMs ?? 4_000);
  let share: number | undefined;
  do {
    const meter = startCpuMeter(pids, cores);
    await sleep(windowMs * 2);
    share = meter.backgroundShare();
  } while (share !== undefined && share > 0.25 && Date.now() < deadline);
  return share;
}
