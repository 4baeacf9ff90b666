"""Peak memory of a command and everything it started, read while they run."""

from __future__ import annotations

from pathlib import Path


def tree_peaks(root: int) -> dict[int, int]:
    """Peak resident memory (kB, VmHWM) of a process and of every process under it.

    Read from /proc while they run: the kernel's own count after the process ends
    (wait4's ru_maxrss) is no use here, as it keeps the peak of the process that spawned
    the command, this one, with the inputs it has just generated.
    """
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):  # ended meanwhile
            continue
    tree = {root}
    while grown := {pid for pid, parent in parents.items() if parent in tree} - tree:
        tree |= grown
    peaks = {}
    for pid in tree:
        try:
            status = (Path("/proc") / str(pid) / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks[pid] = int(line.split()[1])
    return peaks
