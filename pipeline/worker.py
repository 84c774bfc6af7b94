"""Worker processes that run one call at a time under a time and a memory budget.

One pathological input (a regex that backtracks, a decompression bomb) must
not stall a run. Each call therefore runs in a child process running
:func:`main`: the child caps its own address space
(``RLIMIT_AS``), the parent waits at most the time budget for the answer and
otherwise kills the child and starts a fresh one. Plain subprocesses rather
than ``multiprocessing``: they work from threads, from daemonic Dask workers
and from Prefect's process pool alike.

Wire format on the child's stdin/stdout: an 8-byte big-endian length, then a
pickle. The child first answers ``("ready",)`` once it has imported the
preloaded modules and run the warm-up call, so that start-up never counts
against an input's budget. A request is ``(target, args, kwargs)`` with
``target`` written ``"module:function"``; a reply is ``("ok", value)`` or
``("error", kind, text)``.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

_HEADER = struct.Struct(">Q")
# A request sent behind a call still running waits in the pipe to the child. The child
# reads each request whole before it starts on it, so one of at most PIPE_BUF bytes
# (header included) always fits there: writing it never waits for the child, which may
# itself be waiting for its answer to be read.
_QUEUED_MAX_BYTES = select.PIPE_BUF - _HEADER.size
_MB = 1024 * 1024
# Signals by which a child dies when it runs out of memory: the kernel's OOM killer
# (SIGKILL), or a C extension whose malloc failed under RLIMIT_AS (abort or bad access).
_MEMORY_SIGNALS = frozenset({signal.SIGKILL, signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS})
# How long a child may take to import and warm up before its first call is timed.
_START_SECONDS = 120.0
# Native thread pools reserve address space per thread; one thread each keeps the
# RLIMIT_AS budget for the data, and two workers on two cores do not oversubscribe.
_CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "PYTHONHASHSEED": "0"}
# The child's entry point. Not ``python -m pipeline.worker``: that puts the current
# folder first on the import path, so a run started from a project that has a
# ``pipeline`` package of its own would load that one. ``-c`` puts "" there: dropped.
_CHILD_MAIN = ("import sys\n"
               "if sys.path[:1] == ['']: del sys.path[0]\n"
               "from pipeline.worker import main\n"
               "main(sys.argv[1:])")


@dataclass(frozen=True, slots=True)
class Budget:
    """What one call may use: seconds of wall time and MB of address space (0 = no limit)."""

    seconds: float = 60.0
    memory_mb: int = 2048


class WorkerFailure(Exception):
    """A call that gave no value: over budget, crashed the child, or raised."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind  # "timeout", "memory", "died" or "error"
        self.message = message
        super().__init__(f"{kind}: {message}")


def request(target: str, *args: Any, **kwargs: Any) -> bytes:
    """The bytes of a request for ``target(*args, **kwargs)`` (``target``: "module:function")."""
    return pickle.dumps((target, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)


class Worker:
    """One child process; :meth:`call` runs a function in it within a budget."""

    def __init__(self, budget: Budget, preload: tuple[str, ...] = (),
                 warm_up: str | None = None) -> None:
        self.budget = budget
        self.ready = False
        self._deadline: float | None = None
        env = {**os.environ, **_CHILD_ENV}
        # The child must import this very package, wherever the parent found it.
        package_parent = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_parent, os.environ.get("PYTHONPATH", "")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-c", _CHILD_MAIN, str(budget.memory_mb), warm_up or "-", *preload],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, close_fds=True)
        self.calls = 0
        self.pending = 0  # calls sent and not answered yet

    @property
    def alive(self) -> bool:
        """Whether the child is still running."""
        return self.process.poll() is None

    def wait_ready(self) -> None:
        """Wait until the child has started (imports, warm-up); raises :class:`WorkerFailure`."""
        if self.ready:
            return
        try:
            self._message(time.monotonic() + _START_SECONDS)
        except TimeoutError:
            self.kill()
            raise WorkerFailure("died", f"the worker did not start in {_START_SECONDS:g} s"
                                ) from None
        except (EOFError, OSError):
            raise self._death() from None
        self.ready = True

    def call(self, target: str, *args: Any, **kwargs: Any) -> Any:
        """``target(*args, **kwargs)`` in the child; raises :class:`WorkerFailure`."""
        self.send(target, *args, **kwargs)
        return self.receive()

    def send(self, target: str, *args: Any, **kwargs: Any) -> None:
        """Start ``target(*args, **kwargs)`` in the child (see :meth:`post`)."""
        self.post(request(target, *args, **kwargs))

    def post(self, payload: bytes) -> None:
        """Send a :func:`request`. Its budget starts now if the child is idle, else when
        the answer before it is received: the child reads the next request as soon as
        it has answered, instead of waiting for the caller to read that answer and
        write the next one."""
        self.wait_ready()
        if not self.pending:
            self._start_budget()
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(_HEADER.pack(len(payload)))
            self.process.stdin.write(payload)
            self.process.stdin.flush()
        except (BrokenPipeError, ConnectionResetError):
            raise self._death() from None
        self.pending += 1

    def _start_budget(self) -> None:
        """The call the child starts on now has its budget's seconds from now."""
        self._deadline = (time.monotonic() + self.budget.seconds
                          if self.budget.seconds > 0 else None)

    def receive(self) -> Any:
        """The value of the oldest call sent and not yet answered; raises :class:`WorkerFailure`.

        A call that fails so that the child is killed or dies takes the calls sent
        after it with it: they never started, and the caller sends them again.
        """
        try:
            reply = self._message(self._deadline)
        except TimeoutError:
            self.kill()
            raise WorkerFailure("timeout", f"over the budget of {self.budget.seconds:g} s"
                                ) from None
        except (EOFError, OSError):
            raise self._death() from None
        self.calls += 1
        self.pending -= 1
        if self.pending:
            self._start_budget()  # the next call's turn
        if reply[0] == "ok":
            return reply[1]
        _, kind, text = reply
        if kind == "memory":
            self.kill()  # a heap that hit its cap is not worth reusing
        raise WorkerFailure(kind, text)

    def _message(self, deadline: float | None) -> Any:
        """The child's next message: a length, then that many bytes of pickle."""
        header = self._read(_HEADER.size, deadline)
        return pickle.loads(self._read(_HEADER.unpack(header)[0], deadline))

    def _read(self, n: int, deadline: float | None) -> bytes:
        stream = self.process.stdout
        assert stream is not None
        fd = stream.fileno()
        chunks: list[bytes] = []
        while n:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                    raise TimeoutError
            chunk = os.read(fd, min(n, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _death(self) -> WorkerFailure:
        code = self.process.wait()
        self.pending = 0
        if code < 0 and signal.Signals(-code) in _MEMORY_SIGNALS:
            name = signal.Signals(-code).name
            return WorkerFailure("memory", f"the worker died ({name}), most likely over the "
                                 f"memory budget of {self.budget.memory_mb} MB")
        return WorkerFailure("died", f"the worker exited with status {code}")

    def kill(self) -> None:
        """Stop the child at once; the calls it had not answered are lost."""
        if self.alive:
            self.process.kill()
        self.process.wait()
        self.pending = 0
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()

    def close(self) -> None:
        """Ask the child to finish (end of input), then make sure it has."""
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=0.5)
        self.kill()


class WorkerPool:
    """Up to ``size`` workers shared by the threads of one process; dead ones are replaced."""

    def __init__(self, size: int, budget: Budget, preload: tuple[str, ...] = (),
                 warm_up: str | None = None) -> None:
        self.size = max(1, size)
        self.budget = budget
        self.preload = preload
        self.warm_up = warm_up
        self.pid = os.getpid()
        self._idle: list[Worker] = []
        self._count = 0
        self._free = threading.Condition()

    def _checkout(self) -> Worker:
        with self._free:
            while not self._idle and self._count >= self.size:
                self._free.wait()
            while self._idle and not self._idle[-1].alive:  # died while idle
                self._idle.pop().kill()
                self._count -= 1
            if self._idle:
                return self._idle.pop()
            self._count += 1
        try:
            return _spawn(self.budget, self.preload, self.warm_up)
        except BaseException:
            with self._free:
                self._count -= 1
                self._free.notify()
            raise

    def _checkin(self, w: Worker) -> None:
        with self._free:
            if w.alive:
                self._idle.append(w)
            else:
                w.kill()
                self._count -= 1
            self._free.notify()

    @contextlib.contextmanager
    def worker(self) -> Iterator[Worker]:
        """A worker for the caller's exclusive use; waits while all are busy."""
        w = self._checkout()
        try:
            yield w
        finally:
            self._checkin(w)

    def call(self, target: str, *args: Any, **kwargs: Any) -> Any:
        """Run ``target`` in a free worker (see :meth:`Worker.call`)."""
        with self.worker() as w:
            return w.call(target, *args, **kwargs)

    def map(self, target: str, jobs: Iterable[tuple[tuple[Any, ...], dict[str, Any]]]
            ) -> Generator[Any, None, None]:
        """``target(*args, **kwargs)`` for each job, in order, on one worker at a time.

        Yields each value, or the :class:`WorkerFailure` in its place. While the
        child works on a job, the next one is taken from ``jobs`` and sent behind
        it when its request is small (see :data:`_QUEUED_MAX_BYTES`), so the child
        goes on to it without waiting for the caller. A failed worker is replaced
        before the next job; a job sent behind one its worker died on is sent again.
        """
        requests = (request(target, *args, **kwargs) for args, kwargs in jobs)
        w: Worker | None = None
        # Requests taken and not answered yet, oldest first (at most two): the first
        # ``w.pending`` of them are in the worker. One it started on is kept as b"".
        ahead: deque[bytes] = deque()

        def live() -> Worker:
            nonlocal w
            if w is None or not w.alive:
                if w is not None:
                    self._checkin(w)
                w = self._checkout()
            return w

        try:
            while True:
                if not ahead:
                    payload = next(requests, None)
                    if payload is None:
                        return
                    ahead.append(payload)
                if w is None or not w.pending:  # the oldest is not in a worker
                    try:
                        live().post(ahead[0])
                    except WorkerFailure as failure:
                        ahead.popleft()
                        yield failure
                        continue
                    # only a request queued behind another is ever sent again: a large one
                    # (maybe an input's bytes) is not held here while the child works on it
                    ahead[0] = b""
                if len(ahead) == 1 and (payload := next(requests, None)) is not None:
                    ahead.append(payload)  # made while the child works
                assert w is not None
                if len(ahead) == 2 and len(ahead[1]) <= _QUEUED_MAX_BYTES:
                    # if it fails, the worker is dead: the request goes to the next one
                    with contextlib.suppress(WorkerFailure):
                        w.post(ahead[1])
                try:
                    result = w.receive()
                except WorkerFailure as failure:
                    # killed or dead, a worker has nothing pending: a request queued
                    # behind this one is then sent to the next worker
                    result = failure
                ahead.popleft()
                yield result
        finally:
            if w is not None:
                if w.pending:  # abandoned mid-call: its answers must not reach the next caller
                    w.kill()
                self._checkin(w)

    def close(self) -> None:
        """Stop the idle workers (busy ones stop when they are handed back)."""
        with self._free:
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for w in idle:
            w.close()


# Children are started from one long-lived thread: Linux ties a child's "die with
# the parent" signal to the thread that started it, and the threads of a run's
# executor end with the run while its pool's workers are meant to live on.
_SPAWNER = ThreadPoolExecutor(1, thread_name_prefix="newsclean-spawner")


def _spawn(budget: Budget, preload: tuple[str, ...], warm_up: str | None) -> Worker:
    return _SPAWNER.submit(Worker, budget, preload, warm_up).result()


_POOLS: dict[tuple[int, Budget, tuple[str, ...], str | None], WorkerPool] = {}
_POOLS_LOCK = threading.Lock()


def shared_pool(size: int, budget: Budget, preload: tuple[str, ...] = (),
                warm_up: str | None = None) -> WorkerPool:
    """The process-wide pool for these settings, created on first use and kept for later calls.

    Batches of one run (and of later runs in a long-lived process: a Dask worker,
    a served deployment) reuse the started children instead of paying their
    start-up again.
    """
    key = (size, budget, preload, warm_up)
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None or pool.pid != os.getpid():  # a forked child must not share pipes
            pool = _POOLS[key] = WorkerPool(size, budget, preload, warm_up)
        return pool


@atexit.register
def close_pools() -> None:
    """Stop every shared pool of this process."""
    with _POOLS_LOCK:
        pools = [p for p in _POOLS.values() if p.pid == os.getpid()]
        _POOLS.clear()
    for pool in pools:
        pool.close()


# ---------------------------------------------------------------- the child side


def _resolve(target: str, cache: dict[str, Callable[..., Any]]) -> Callable[..., Any]:
    fn = cache.get(target)
    if fn is None:
        module, _, name = target.partition(":")
        fn = cache[target] = getattr(importlib.import_module(module), name)
    return fn


def _read_exact(stream: BinaryIO, n: int) -> bytes | None:
    data = stream.read(n)
    return data if data and len(data) == n else None


def _send(stdout: BinaryIO, reply: tuple[Any, ...]) -> None:
    out = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
    stdout.write(_HEADER.pack(len(out)))
    stdout.write(out)
    stdout.flush()


def serve(memory_mb: int, warm_up: str | None, preload: tuple[str, ...], stdin: BinaryIO,
          stdout: BinaryIO) -> None:
    """The child's loop: start up, say so, then answer requests until stdin closes."""
    cache: dict[str, Callable[..., Any]] = {}
    for module in preload:
        importlib.import_module(module)
    if warm_up:
        _resolve(warm_up, cache)()
    if memory_mb > 0:
        import resource

        limit = memory_mb * _MB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _send(stdout, ("ready",))
    while (header := _read_exact(stdin, _HEADER.size)) is not None:
        body = _read_exact(stdin, _HEADER.unpack(header)[0])
        if body is None:
            return
        reply: tuple[Any, ...]
        try:
            target, args, kwargs = pickle.loads(body)
            del body
            reply = ("ok", _resolve(target, cache)(*args, **kwargs))
        except MemoryError:
            reply = ("error", "memory", "over the memory budget of "
                     f"{memory_mb} MB; raise limits.memory_per_worker_mb")
        except Exception as exc:  # the parent turns it into a reject naming the input
            reply = ("error", "error", f"{type(exc).__name__}: {exc}")
        try:
            _send(stdout, reply)
        except MemoryError:  # the answer itself did not fit: say so in a few bytes
            reply = ("error", "memory", f"the result is over the memory budget of "
                     f"{memory_mb} MB; raise limits.memory_per_worker_mb")
            _send(stdout, reply)
        if reply[:2] == ("error", "memory"):
            return


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (a regex deep in C code would
    otherwise keep an orphan busy: it never reads the closed stdin)."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(0)


def main(argv: list[str]) -> None:
    """The child's entry point; ``argv``: ``MEMORY_MB WARM_UP|- [MODULE …]``."""
    if sys.platform == "linux":
        _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when children stop
    stdin = os.fdopen(os.dup(0), "rb")
    stdout = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints from libraries must not corrupt the replies
    sys.stdout = sys.stderr
    warm_up = None if argv[1] == "-" else argv[1]
    serve(int(argv[0]), warm_up, tuple(argv[2:]), stdin, stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
