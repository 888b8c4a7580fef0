"""Walk one stretch of the audit chain: read it in seq order, check every row and link.

A long chain is split into stretches ("parts") walked by separate processes; each
part checks its own rows and the links between them, and reports the hash it
started from and the hash it ended on, so the caller can check the links between
parts (see `helio.audit.verify`). A part stops at its first suspect row and hands
back the walk state just before it; naming what is wrong there is left to the caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import queue
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any

from helio.audit import repository
from helio.audit.chain import HASHED_FIELDS, stored_row_matches
from helio.db import Database

_N = len(HASHED_FIELDS)

Counter = Callable[[int], None]
"""Told the number of rows checked so far by this part, after each batch."""


@dataclass(frozen=True)
class Part:
    """The stretch of seqs `first`..`last` and the hashes signed checkpoints name in it."""

    first: int
    last: int
    anchors: dict[int, str] = field(default_factory=dict)


@dataclass
class PartResult:
    """What walking a part found (sent between processes: plain values only)."""

    first: int
    last: int
    checked: int = 0
    complete: bool = True
    first_seq: int | None = None
    """Seq of the first row read, if any."""
    first_prev: str | None = None
    """The predecessor hash stored in the part's first row, when that row is at `first`."""
    next_expected: int = 0
    last_hash: str | None = None
    suspect: tuple[int, str | None] | None = None
    """(expected seq, predecessor hash) just before the first suspect row; the hash is None
    when the suspect is the part's first row (the caller knows the predecessor)."""
    seconds: float = 0.0
    """Time spent reading and checking (a process's start-up not included)."""


@dataclass
class _Walk:
    expected: int
    prev_hash: str | None
    anchors: dict[int, str]
    first_prev: str | None = None


def scan(rows: Sequence[Any], walk: _Walk) -> int | None:
    """Advance over intact rows; return the index of the first suspect row.

    Each row's hash is recomputed from its content and its predecessor link compared
    with the hash of the row before it. At the start of a part the predecessor is not
    known here: the first row's stored link is taken and reported (`first_prev`) for
    the caller to check against the previous part's last hash.
    """
    expected, prev_hash, anchors = walk.expected, walk.prev_hash, walk.anchors
    for index, row in enumerate(rows):
        seq, stored_prev, stored_hash = row[0], row[_N], row[_N + 1]
        if prev_hash is None and seq == expected:
            prev_hash = walk.first_prev = stored_prev
        if (
            seq != expected
            or stored_prev != prev_hash
            or not stored_row_matches(stored_prev, row, stored_hash)
            or anchors.get(seq, stored_hash) != stored_hash
        ):
            walk.expected, walk.prev_hash = expected, prev_hash
            return index
        expected, prev_hash = seq + 1, stored_hash
    walk.expected, walk.prev_hash = expected, prev_hash
    return None


async def walk_part(
    db: Database,
    part: Part,
    *,
    batch_size: int,
    deadline: float | None = None,
    counter: Counter | None = None,
) -> PartResult:
    """Read and check the part's rows in keyset batches, stopping at the first suspect row.

    The next batch is read while this one is checked in a worker thread, so the
    event loop never runs the hashing. `deadline` is a `time.time()` value.
    """
    started = time.monotonic()
    result = PartResult(first=part.first, last=part.last, next_expected=part.first)
    walk = _Walk(expected=part.first, prev_hash=None, anchors=part.anchors)
    pending = asyncio.ensure_future(_read(db, part.first - 1, part.last, batch_size))
    try:
        while True:
            rows = await pending
            if not rows:
                break
            if result.first_seq is None:
                result.first_seq = rows[0][0]
            if rows[-1][0] < part.last:
                pending = asyncio.ensure_future(_read(db, rows[-1][0], part.last, batch_size))
            bad = await asyncio.to_thread(scan, rows, walk)
            if bad is not None:
                result.checked += bad
                result.suspect = (walk.expected, walk.prev_hash)
                break
            result.checked += len(rows)
            if counter is not None:
                counter(result.checked)
            if walk.expected > part.last:
                break
            if deadline is not None and time.time() > deadline:
                result.complete = False
                break
    finally:
        # Let a read ahead finish: cancelled mid-query, the connection could not be reused.
        if not pending.done():
            with contextlib.suppress(Exception):
                await pending
    result.first_prev, result.next_expected, result.last_hash = (
        walk.first_prev,
        walk.expected,
        walk.prev_hash,
    )
    result.seconds = round(time.monotonic() - started, 3)
    return result


async def _read(db: Database, after_seq: int, last_seq: int, limit: int) -> Sequence[Any]:
    async with db.transaction() as session:
        return await repository.chain_rows(
            session, after_seq=after_seq, last_seq=last_seq, limit=limit
        )


class WalkFailed(RuntimeError):
    """A process walking a part of the chain failed (the chain's state is unknown)."""


POLL_SECONDS = 0.5


async def walk_parts_in_processes(
    url: str,
    parts: Sequence[Part],
    *,
    batch_size: int,
    deadline: float | None = None,
    progress: Counter | None = None,
) -> list[PartResult]:
    """Walk each part in a process of its own (each reads and checks its stretch).

    `progress` is told the rows checked by all parts together, about twice a second.

    Raises:
        WalkFailed: a process failed or died before reporting.
    """
    context = multiprocessing.get_context("spawn")  # no copy of this process's loop or pools
    results = context.Queue()
    counts: Any = context.Array("q", len(parts), lock=False)
    processes = [
        context.Process(
            target=_walk_in_process,
            args=(url, index, part, batch_size, deadline, counts, results),
            name=f"helio-audit-verify-{index}",
        )
        for index, part in enumerate(parts)
    ]
    for process in processes:
        process.start()
    try:
        return await _collect(processes, results, counts, progress)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        await asyncio.to_thread(_join, processes)
        results.close()


async def _collect(
    processes: Sequence[BaseProcess], results: Any, counts: Any, progress: Counter | None
) -> list[PartResult]:
    found: dict[int, PartResult] = {}
    while len(found) < len(processes):
        message = await asyncio.to_thread(_next, results)
        if progress is not None:
            progress(sum(counts))
        if message is None:
            dead = [i for i, p in enumerate(processes) if p.exitcode not in (None, 0)]
            if any(index not in found for index in dead):
                raise WalkFailed(f"a verifying process exited early (part {dead[0]})")
            continue
        index, outcome = message
        if not isinstance(outcome, PartResult):
            raise WalkFailed(f"part {index} failed: {outcome}")
        found[index] = outcome
    return [found[index] for index in range(len(processes))]


def _next(results: Any) -> tuple[int, PartResult | str] | None:
    try:
        message: tuple[int, PartResult | str] = results.get(timeout=POLL_SECONDS)
    except queue.Empty:
        return None
    return message


def _join(processes: Sequence[BaseProcess]) -> None:
    for process in processes:
        process.join()


def _walk_in_process(
    url: str,
    index: int,
    part: Part,
    batch_size: int,
    deadline: float | None,
    counts: Any,
    results: Any,
) -> None:
    """Entry point of a verifying process: walk one part, send back what it found."""
    # Nothing here builds reference cycles; the collector would only scan every batch of
    # rows again and again (a fifth of the reading time). The process ends with its part.
    gc.disable()
    try:
        outcome: PartResult | str = asyncio.run(
            _walk_alone(url, index, part, batch_size, deadline, counts)
        )
    except Exception as exc:  # reported to the parent, which raises WalkFailed
        outcome = f"{type(exc).__name__}: {exc}"
    results.put((index, outcome))


async def _walk_alone(
    url: str, index: int, part: Part, batch_size: int, deadline: float | None, counts: Any
) -> PartResult:
    db = Database(url, pool_size=2)

    def count(done: int) -> None:
        counts[index] = done

    try:
        return await walk_part(db, part, batch_size=batch_size, deadline=deadline, counter=count)
    finally:
        await db.dispose()
