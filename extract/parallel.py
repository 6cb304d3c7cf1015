"""Every core: a function over a stream of items in worker processes, results in input order.

Items go to the workers in chunks (one pickle round trip per chunk, not per item) with a bounded
number of chunks in flight, so a stream of any length runs in flat memory and the output order is
the input order whatever the number of workers. One job runs inline, in this process, with no pool.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNK_ITEMS = 32  # items per task: large enough to amortise a pickle round trip, small enough to balance
CHUNK_BYTES = 4 << 20  # and at most about this many bytes of items per task (a JSONL line may be 32 MiB)
CHUNKS_IN_FLIGHT_PER_JOB = 4


def default_jobs() -> int:
    """The cores this process may run on (taskset / cgroup affinity), not every core of the machine."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _start_worker() -> None:
    """Set up a forked worker.

    Workers leave Ctrl-C to the main process, which stops handing out work and shuts the pool down
    (a worker finishes its chunk), instead of every worker printing its own traceback. And the
    objects inherited from the parent (every imported module, some 140,000 objects) are moved out
    of the collector's reach (`gc.freeze`, which only relinks two list heads): they live as long as
    the worker does, so a full collection in the worker would only walk them, and by writing their
    headers copy their memory pages out of the parent's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()


def _run_chunk(function: Callable[[Item], list[Result]], chunk: list[Item]) -> list[Result]:
    out: list[Result] = []
    for item in chunk:
        out.extend(function(item))
    return out


def _chunks(items: Iterable[Item], size: int, weigh: Callable[[Item], int] | None) -> Iterator[list[Item]]:
    """Chunks of at most `size` items and about CHUNK_BYTES bytes (by `weigh`), so the chunks in flight
    hold a bounded number of bytes, not only a bounded number of items."""
    chunk: list[Item] = []
    weight = 0
    for item in items:
        chunk.append(item)
        weight += weigh(item) if weigh is not None else 0
        if len(chunk) >= size or weight >= CHUNK_BYTES:
            yield chunk
            chunk = []
            weight = 0
    if chunk:
        yield chunk


def ordered_flat_map(
    function: Callable[[Item], list[Result]],
    items: Iterable[Item],
    *,
    jobs: int,
    chunk_items: int = CHUNK_ITEMS,
    weigh: Callable[[Item], int] | None = None,
) -> Iterator[Result]:
    """`function(item)` for each item, its results flattened, in input order, over `jobs` processes.

    `function` must be picklable (a module-level function or a functools.partial of one); so must
    the items and results. Workers are forked, so they start with this process's imports. `weigh`
    gives an item's size in bytes, to bound the bytes in flight as well as the items.
    """
    if jobs <= 1:
        for item in items:
            yield from function(item)
        return
    context = multiprocessing.get_context("fork")
    in_flight: deque[Future[list[Result]]] = deque()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker) as pool:
        try:
            for chunk in _chunks(items, chunk_items, weigh):
                in_flight.append(pool.submit(_run_chunk, function, chunk))
                if len(in_flight) >= jobs * CHUNKS_IN_FLIGHT_PER_JOB:
                    yield from in_flight.popleft().result()
            while in_flight:
                yield from in_flight.popleft().result()
        finally:
            for future in in_flight:
                future.cancel()
