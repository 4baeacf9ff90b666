"""One nightly run at a time, however it was started (cron, systemd, `crawler schedule`,
a person at a terminal): an flock on a file in the runs folder, which the kernel releases
when its holder dies, so a crashed run never blocks the next night."""

from __future__ import annotations

import contextlib
import fcntl
import os
from datetime import datetime
from typing import TYPE_CHECKING

from crawler.dates import VIETNAM_TZ

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


# `crawler nightly`'s exit code when another run holds the lock (sysexits' EX_TEMPFAIL:
# try again later); `crawler schedule` reads it as "skipped".
EXIT_BUSY = 75


class RunLockError(RuntimeError):
    """The lock cannot be taken (its folder cannot be made or written); the message says
    which path and why."""


class RunLocked(RunLockError):
    """Another run holds the lock; the message says which and since when."""


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold ``path``'s lock for the block (its folder is made if missing), or raise
    RunLocked at once without waiting."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # "a+": opening must not empty the file before the lock is ours (it names the holder).
        lock = path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise RunLockError(f"cannot take the run lock {path}: {exc.strerror or exc}") from None
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "a process that has not said its pid yet"
            raise RunLocked(f"another run holds {path} ({holder}): nothing done") from None
        lock.truncate(0)
        started = datetime.now(VIETNAM_TZ).isoformat(timespec="seconds")
        lock.write(f"pid {os.getpid()}, since {started}\n")
        lock.flush()
        yield
