"""How busy the rest of the machine was while a CPU benchmark timed itself (shared by the CPU benchmarks).

The 1-minute load average counts the benchmark's own threads, so it cannot say whether other jobs competed; these read
/proc/stat and the process's CPU times instead: cores' worth of CPU used outside the benchmark, and hypervisor steal.
"""
import os, platform, time

def cpu_times(pids=()):
    "(wall s, machine busy s, steal s, CPU s of this process and `pids`) from /proc/stat, os.times and /proc/<pid>/stat."
    try:
        f = [int(x) for x in open('/proc/stat').readline().split()[1:9]]
        hz, t = os.sysconf('SC_CLK_TCK'), os.times()
        kids = sum(sum(int(x) for x in open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()[11:13]) for p in pids) / hz
    except OSError: return None
    return time.perf_counter(), (sum(f[:3]) + f[5] + f[6]) / hz, f[7] / hz, t.user + t.system + kids

def other_cpu(c0, pids=()):
    "Cores' worth of CPU used outside this process (and `pids`) since c0 (from `cpu_times`), and the hypervisor's steal."
    c1 = cpu_times(pids)
    if c0 is None or c1 is None: return None
    wall = c1[0] - c0[0]
    return {'other_processes_cores': round(max(0.0, (c1[1] - c0[1]) - (c1[3] - c0[3])) / wall, 3),
            'steal_cores': round((c1[2] - c0[2]) / wall, 3)}

def pin_cores(n:int):
    "Run this process on the first `n` of its CPUs (a 2-core measurement on a bigger machine)."
    if hasattr(os, 'sched_setaffinity') and len(os.sched_getaffinity(0)) > n:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:n])

def cpu_name():
    "The CPU's model name."
    try: return next(l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name'))
    except (OSError, StopIteration): return platform.processor()
