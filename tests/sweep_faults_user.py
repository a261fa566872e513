"""Protocols for tests/test_sweep_faults.py: a point that takes a given time, one
that crashes its process, one that always fails. They exercise the sweep's
bookkeeping (time limits, dead workers, exit status), not a model."""

import os
import signal
import time


def pause(seconds: float, tag: int = 0) -> dict:
    """Sleep ``seconds``; report them and the process that ran the point."""
    time.sleep(seconds)
    return {"slept_s": seconds, "tag": tag, "pid": os.getpid()}


def crash(tag: int = 0) -> dict:
    """Kill this process with SIGSEGV, as a crash in compiled code would."""
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(10)
    return {"tag": tag}


def fail(tag: int = 0) -> dict:
    """Always raise."""
    raise ValueError(f"point {tag} fails by design")
