"""Child processes that end with their parent: Linux's parent-death signal.

A process SIGKILLed cannot stop its children; the kernel can, if each child asked for it
(prctl PR_SET_PDEATHSIG). The function is looked up here, in the parent, so a child only
calls it between fork and exec (no loader lock taken after a fork). Elsewhere a no-op.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """Have the kernel send ``signum`` to this process when its parent dies; exit now if
    the parent is already gone. Note: "parent" is the thread that forked this process."""
    if _PRCTL is None:
        return
    parent = os.getppid()
    _PRCTL(PR_SET_PDEATHSIG, signum)
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


def end_with_parent() -> None:
    """For subprocess's preexec_fn: a child that gets SIGTERM (time to stop cleanly) when
    the process that started it dies."""
    die_with_parent(signal.SIGTERM)
