/**
 * CPU and memory of the processes of a run, read from /proc/<pid>/stat
 * (Linux): CPU seconds used during the measured window (user + system) and
 * resident memory (last and peak). The bench process itself is sampled with
 * process.cpuUsage(), which covers its load threads.
 *
 * A process that exits during the window (churn) keeps its last sample, so
 * its CPU is under-counted by at most one sampling interval.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CLOCK_TICKS = Number(safeExec('getconf', ['CLK_TCK']) || 100);
const PAGE_SIZE = Number(safeExec('getconf', ['PAGESIZE']) || 4096);

function safeExec(cmd: string, args: string[]): string {
  try { return execFileSync(cmd, args, { encoding: 'utf8' }).trim(); } catch { return ''; }
}

/** CPU seconds (user + system) and RSS bytes of a live process; undefined once it is gone. */
export function readProcStat(pid: number): { cpuSeconds: number; rssBytes: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rssPages = Number(fields[21]);
    if (fields[0] === 'Z') return undefined;
    return { cpuSeconds: (utime + stime) / CLOCK_TICKS, rssBytes: rssPages * PAGE_SIZE };
  } catch {
    return undefined;
  }
}

export interface ProcessFigures {
  name: string;
  pid: number;
  /** CPU seconds used inside the window. */
  cpuSeconds: number;
  /** CPU seconds per wall second (1 = one core busy). */
  cpuCores: number;
  rssMiB: number;
  peakRssMiB: number;
  /** False when the process ended during the window. */
  aliveAtEnd: boolean;
}

interface Tracked { name: string; pid: number; cpuStart: number; cpuLast: number; rss: number; peak: number; alive: boolean }

export class ProcessSampler {
  private readonly tracked = new Map<number, Tracked>();
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private selfStart = process.cpuUsage();

  /** Starts (or keeps) tracking a process from now on. */
  track(pid: number | undefined, name: string): void {
    if (!pid || this.tracked.has(pid)) return;
    const s = readProcStat(pid);
    if (!s) return;
    this.tracked.set(pid, { name, pid, cpuStart: s.cpuSeconds, cpuLast: s.cpuSeconds, rss: s.rssBytes, peak: s.rssBytes, alive: true });
  }

  start(intervalMs = 500): void {
    this.startedAt = Date.now();
    this.selfStart = process.cpuUsage();
    for (const t of this.tracked.values()) {
      const s = readProcStat(t.pid);
      if (s) { t.cpuStart = s.cpuSeconds; t.cpuLast = s.cpuSeconds; }
    }
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    for (const t of this.tracked.values()) {
      if (!t.alive) continue;
      const s = readProcStat(t.pid);
      if (!s) { t.alive = false; continue; }
      t.cpuLast = s.cpuSeconds;
      t.rss = s.rssBytes;
      t.peak = Math.max(t.peak, s.rssBytes);
    }
  }

  /** Figures for the window since start(), bench process first. */
  stop(): ProcessFigures[] {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    const wall = Math.max(0.001, (Date.now() - this.startedAt) / 1000);
    const self = process.cpuUsage(this.selfStart);
    const selfCpu = (self.user + self.system) / 1e6;
    const mem = process.memoryUsage().rss;
    const mib = (b: number) => Math.round((b / 1048576) * 10) / 10;
    return [
      { name: 'bench (load generator, all threads)', pid: process.pid, cpuSeconds: round(selfCpu), cpuCores: round(selfCpu / wall), rssMiB: mib(mem), peakRssMiB: mib(mem), aliveAtEnd: true },
      ...[...this.tracked.values()].map((t) => ({
        name: t.name, pid: t.pid, cpuSeconds: round(t.cpuLast - t.cpuStart), cpuCores: round((t.cpuLast - t.cpuStart) / wall),
        rssMiB: mib(t.rss), peakRssMiB: mib(t.peak), aliveAtEnd: t.alive,
      })),
    ];
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
