"""How a build's work runs: spread over forked worker processes, one part in the background, and
with Python's cyclic garbage collector kept off the big, long-lived data.

Nothing here knows what the work is. The build hands it functions over plain data; the results
come back in order, so the output is byte-identical to a single process's.

- `parallel_map(function, items, workers)` is `[function(item) for item in items]` over a pool of
  forked processes (`STATUSGEN_WORKERS`, default one per core). Workers inherit `function` and
  `items` (nothing is pickled but the results), so closures over the whole site work. Where fork is
  missing, or the work is small, it runs in this process.
- `InBackground(function, workers)` runs `function()` in one forked process meanwhile.
- A worker that dies (the OOM killer) fails the build with a clear error instead of hanging it.
- `allocating()` pauses the collector while a stage makes many objects and no cycles (loading,
  deriving), and can freeze what it made; `frozen_for_the_build()` undoes the freezing at the end.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

from statusgen.errors import Problem, WorkerError

T = TypeVar("T")
R = TypeVar("R")

CHUNKS_PER_WORKER = 8  # slices of the work per worker: small enough to balance, few enough to be cheap
SMALL_PER_WORKER = 64  # items per worker below which forking costs more than it saves


def default_workers() -> int:
    """Worker processes for a build: STATUSGEN_WORKERS, else one per available core."""
    given = os.environ.get("STATUSGEN_WORKERS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork(workers: int | None) -> bool:
    """Whether work may go to other processes: more than one worker, and fork available."""
    return (workers or default_workers()) > 1 and "fork" in multiprocessing.get_all_start_methods()


def worker_died() -> WorkerError:
    """The error of a build whose worker process ended without a word (killed)."""
    message = "a worker process of the build ended unexpectedly (out of memory?); nothing was written"
    return WorkerError([Problem("statusgen", None, "", message, "try STATUSGEN_WORKERS=1")])


# ---------------------------------------------------------------- a pool of forked workers

# The work of the running `parallel_map`, which forked workers inherit (set only around the pool).
_WORK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def parallel_map(function: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> list[R]:
    """`[function(item) for item in items]`, spread over `workers` forked processes (default: one per
    core), results in order, so the output is the same as a single process's."""
    global _WORK
    items = list(items)
    workers = workers or default_workers()
    if not can_fork(workers) or len(items) < SMALL_PER_WORKER * workers:
        return [function(item) for item in items]
    size = max(1, -(-len(items) // (workers * CHUNKS_PER_WORKER)))
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _WORK = (function, items)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            chunks = list(pool.map(_run_chunk, bounds))
    except BrokenProcessPool:
        raise worker_died() from None
    finally:
        _WORK = None
    return [result for chunk in chunks for result in chunk]


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    """In a worker: apply the inherited function to one slice of the inherited items."""
    assert _WORK is not None
    function, items = _WORK
    return [function(item) for item in items[bounds[0] : bounds[1]]]


# ---------------------------------------------------------------- one part in the background


class InBackground(Generic[T]):
    """`function()` started in a forked process, so that two independent parts of a build run on
    two cores; `result()` waits for it (its exceptions reach the caller). With one worker, or
    without fork, the function runs when its result is asked for. Use it as a context manager: a
    build that fails meanwhile stops the process rather than wait for it."""

    def __init__(self, function: Callable[[], T], workers: int | None = None) -> None:
        """Start the work (or, in one process, keep it for later)."""
        self.function = function
        self.process: BaseProcess | None = None
        if not can_fork(workers):
            return
        context = multiprocessing.get_context("fork")  # the process inherits the work: no pickling
        self.results, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=_send_result, args=(function, sender), daemon=True)
        self.process.start()
        sender.close()

    def result(self) -> T:
        """The function's result, once it is done."""
        if self.process is None:
            return self.function()
        try:
            done, value = self.results.recv()
        except EOFError:  # it ended without a word: killed
            raise worker_died() from None
        if not done:
            error, where = value
            error.add_note(f"in the background part of the build:\n{where}")
            raise error
        return value  # type: ignore[no-any-return]

    def __enter__(self) -> InBackground[T]:
        """Use the work within a block."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the process if it still runs (the build failed meanwhile), and reap it."""
        if self.process is not None:
            if self.process.is_alive() and exc_info[0] is not None:
                self.process.terminate()
            self.process.join()
            self.results.close()


def _send_result(function: Callable[[], object], sender: Connection) -> None:
    """In the background process: run the work, send back (True, its result) or (False, (its
    error, its traceback)); an error that would not arrive whole is sent as a RuntimeError."""
    try:
        outcome: tuple[bool, object] = (True, function())
    except BaseException as error:  # every failure is the caller's to see
        where = "".join(traceback.format_exception(error))
        try:
            pickle.loads(pickle.dumps(error))
        except Exception:
            error = RuntimeError(f"{type(error).__name__}: {error}")
        outcome = (False, (error, where))
    sender.send(outcome)


# ---------------------------------------------------------------- the garbage collector


@contextlib.contextmanager
def allocating(freeze: bool = False) -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block that makes many objects and no cycles.

    Then, with `freeze` (or when the build freezes already: see `frozen_for_the_build`), what is
    alive is moved where the collector never walks it again: set free, the collector would walk it
    all as soon as it is enabled, and again and again while the build makes more objects.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if freeze or gc.get_freeze_count():
            gc.freeze()
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def frozen_for_the_build() -> Iterator[None]:
    """Unfreeze, after the block, what the build froze in it (`allocating`), unless a host program
    froze objects of its own before: those are left as they are."""
    frozen_already = gc.get_freeze_count() > 0
    try:
        yield
    finally:
        if not frozen_already:
            gc.unfreeze()
