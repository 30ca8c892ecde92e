"""Child processes for tests that start a command and signal it (Ctrl-C, kill).

Why this exists: a test suite started as a background job of a non-interactive shell
(``bash -c 'pytest ... & wait'``, nohup, many schedulers) runs with SIGINT *ignored*, and
every child inherits that; Python honours an inherited ignore, so the child never sees the
test's Ctrl-C.  :class:`Child` starts each command with SIGINT back at its default, as an
interactive terminal would, so a test behaves the same however the suite was started.

It also reads the child's output on a thread (lines can be waited for: tests wait on what
the child says, not on sleeps) and :meth:`Child.stop` ends it for good (Ctrl-C, then
SIGKILL), so a failed test never leaves a server listening behind it.
"""
from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# Undo an inherited SIGINT ignore, then become the command (exec keeps the pid, and a
# signal at its default stays at its default).  A trampoline rather than preexec_fn, which
# is unsafe in a parent with threads (the output pumps, playwright's).
_SIGINT_DEFAULT = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                   "os.execvp(sys.argv[1], sys.argv[1:])")


def hepaanim(*args) -> list[str]:
    """The command line that runs ``hepaanim ARGS`` with this interpreter."""
    return [sys.executable, "-m", "hepaanim", *map(str, args)]


class Child:
    """One started command: its output as lines, signals, and a sure stop.

    ``stderr="merge"`` (the default) reads stderr with stdout; ``stderr="pipe"`` keeps it
    apart (read it with :meth:`communicate`)."""

    def __init__(self, args, cwd=ROOT, env=None, stderr: str = "merge"):
        self.args = [str(a) for a in args]
        self.lines: queue.Queue = queue.Queue()
        self.log: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SIGINT_DEFAULT, *self.args], cwd=cwd, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if stderr == "merge" else subprocess.PIPE)
        self._err: list[str] = []
        self._pumps = [threading.Thread(target=self._read, daemon=True)]
        if self.proc.stderr is not None:
            self._pumps.append(threading.Thread(
                target=lambda: self._err.extend(self.proc.stderr), daemon=True))
        for t in self._pumps:
            t.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    @property
    def output(self) -> str:
        return "".join(self.log)

    def wait_for(self, pattern, timeout: float = 60) -> re.Match:
        """The first output line matching ``pattern``; fails with the output so far if the
        child ends or ``timeout`` passes first."""
        end = time.monotonic() + timeout
        for line in self.log:
            m = re.search(pattern, line)
            if m:
                return m
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                self.lines.put(None)          # later calls see the end too
                break
            self.log.append(line)
            m = re.search(pattern, line)
            if m:
                return m
        raise AssertionError(f"no {pattern!r} from {' '.join(self.args[1:4])} ...; "
                             f"exit code {self.proc.poll()}; output so far:\n{self.output}")

    def running(self) -> bool:
        return self.proc.poll() is None

    def interrupt(self):
        """Ctrl-C, as a terminal sends it."""
        self.proc.send_signal(signal.SIGINT)

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout)

    def communicate(self, timeout: float) -> str:
        """Wait for the end; the separate stderr's text (stderr="pipe")."""
        self.proc.wait(timeout)
        for t in self._pumps:
            t.join(timeout)
        return "".join(self._err)

    def stop(self, grace: float = 15):
        """End the child however it is: Ctrl-C, then SIGKILL if it has not ended in
        ``grace`` seconds; close its pipes.  Safe to call more than once."""
        if self.proc.poll() is None:
            try:
                self.interrupt()
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for t in self._pumps:
            t.join(5)
        for f in (self.proc.stdout, self.proc.stderr):
            if f is not None:
                f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
