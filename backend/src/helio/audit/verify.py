"""Walk the audit hash chain and report the first broken link.

Each event stores the hash of its predecessor (`prev_hash`) and its own
`hash` = SHA-256(prev_hash ‖ canonical form). The walk reads the chain in seq
order, in batches, and stops at the first event where:

- `deleted`: a seq is missing (a gap, or the tail before the head is gone);
- `edited`: the stored hash does not match the event's content;
- `reordered`: the event links to an event stored at another position;
- `bad_prev_link`: the event links to a hash no event has (a neighbour was
  rewritten with a recomputed hash);
- `head_mismatch`: the chain head does not name the last event;
- `checkpoint_mismatch` / `bad_checkpoint`: a signed checkpoint disagrees with the
  chain, or its signature does not verify (a whole rewritten tail).

A long chain is cut into consecutive parts walked by separate processes
(`helio.audit.walk`); each checks every row and link inside its part, and the
links between parts are checked here before the first break is named, so the
answer is the one a single walk gives.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from helio.audit import repository
from helio.audit.chain import GENESIS_HASH, HASHED_FIELDS, stored_row_hash
from helio.audit.checkpoints import checkpoint_is_valid
from helio.audit.walk import Part, PartResult, walk_part, walk_parts_in_processes
from helio.db import Database, is_mysql

Progress = Callable[[int, int], None]
"""Called with (events checked, events to check) after each batch."""

_N = len(HASHED_FIELDS)
DEFAULT_BATCH = 20_000
# A chain this long is split across processes when no worker count is given: below it,
# starting the processes (each imports the application) costs more than they save.
PARALLEL_MIN_EVENTS = 1_000_000
MAX_WORKERS = 4


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    kind: str
    seq: int
    message: str


@dataclass
class VerifyResult:
    """What a walk found."""

    ok: bool
    complete: bool
    checked: int
    head_seq: int
    head_hash: str
    checkpoints_verified: int = 0
    checkpoints_unverifiable: int = 0
    seconds: float = 0.0
    broken: Break | None = None
    notes: list[str] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)
    """Each process's stretch: first and last seq, events checked, seconds."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary."""
        return asdict(self)


async def verify_chain(
    db: Database,
    *,
    public_keys: Mapping[str, Ed25519PublicKey] | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    max_seconds: float | None = None,
    workers: int | None = None,
) -> VerifyResult:
    """Verify the whole chain up to the head as it is when the walk starts.

    Args:
        db: the database holding the trail.
        public_keys: checkpoint verification keys by key id; checkpoints signed
            by other keys are counted as unverifiable, not trusted.
        batch_size: events read per query.
        progress: called after each batch.
        max_seconds: stop early (result `complete=False`) after this long.
        workers: processes that each walk one part of the chain; None chooses: one
            per CPU (at most MAX_WORKERS) for a chain of PARALLEL_MIN_EVENTS or more
            on MySQL, otherwise one walk in this process (hashing in a thread).

    Returns:
        The result; `broken` names the first broken link, if any.

    Raises:
        WalkFailed: a verifying process failed; nothing is known about the chain.
    """
    started = time.monotonic()
    deadline = None if max_seconds is None else time.time() + max_seconds
    async with db.transaction() as session:
        head_seq, head_hash = await repository.read_head(session)
        stored = await repository.checkpoints(session)
    result = VerifyResult(ok=True, complete=True, checked=0, head_seq=head_seq, head_hash=head_hash)
    anchors: dict[int, str] = {}  # seq -> hash a valid checkpoint signed
    bad_checkpoint = _check_checkpoints(stored, public_keys or {}, anchors, result)
    parts = split(head_seq, _workers(db, head_seq, workers), anchors)
    walked = await _walk(db, parts, batch_size, deadline, progress, head_seq)
    result.checked = sum(part.checked for part in walked)
    result.parts = [
        {"first": p.first, "last": p.last, "checked": p.checked, "seconds": p.seconds}
        for p in walked
    ]
    settled = await _settle(db, walked, result, max_seconds)
    if isinstance(settled, Break):
        result.broken = settled
    elif result.complete:
        result.broken = _check_tail(*settled, head_seq, head_hash, anchors) or bad_checkpoint
    result.ok = result.broken is None
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _workers(db: Database, head_seq: int, workers: int | None) -> int:
    if workers is None:
        if head_seq < PARALLEL_MIN_EVENTS or not is_mysql(db.url):
            return 1
        affinity = getattr(os, "sched_getaffinity", None)
        cpus = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
        workers = min(cpus, MAX_WORKERS)
    return max(1, min(workers, head_seq))


def split(head_seq: int, count: int, anchors: Mapping[int, str]) -> list[Part]:
    """Cut seqs 1..head_seq into `count` consecutive parts of (nearly) equal length."""
    size = -(-head_seq // count) if head_seq else 1
    parts = []
    for first in range(1, max(head_seq, 1) + 1, size):
        last = min(first + size - 1, head_seq)
        signed = {seq: digest for seq, digest in anchors.items() if first <= seq <= last}
        parts.append(Part(first, last, signed))
    return parts


async def _walk(
    db: Database,
    parts: list[Part],
    batch_size: int,
    deadline: float | None,
    progress: Progress | None,
    head_seq: int,
) -> list[PartResult]:
    def counter(done: int) -> None:
        if progress is not None:
            progress(done, head_seq)

    if len(parts) == 1:
        return [
            await walk_part(db, parts[0], batch_size=batch_size, deadline=deadline, counter=counter)
        ]
    return await walk_parts_in_processes(
        db.url, parts, batch_size=batch_size, deadline=deadline, progress=counter
    )


def _check_checkpoints(
    stored: Sequence[Any],
    keys: Mapping[str, Ed25519PublicKey],
    anchors: dict[int, str],
    result: VerifyResult,
) -> Break | None:
    first_bad: Break | None = None
    for checkpoint in stored:
        key = keys.get(checkpoint.key_id)
        if key is None:
            result.checkpoints_unverifiable += 1
            continue
        if not checkpoint_is_valid(checkpoint, key):
            if first_bad is None:
                msg = f"the checkpoint at event {checkpoint.seq} has an invalid signature"
                first_bad = Break("bad_checkpoint", checkpoint.seq, msg)
            continue
        result.checkpoints_verified += 1
        anchors[checkpoint.seq] = checkpoint.head_hash
    if result.checkpoints_unverifiable:
        result.notes.append(
            f"{result.checkpoints_unverifiable} checkpoint(s) signed by unknown keys were not used"
        )
    return first_bad


async def _settle(
    db: Database, walked: Sequence[PartResult], result: VerifyResult, max_seconds: float | None
) -> Break | tuple[int, str]:
    """Join the parts in seq order: the first break, or where the walk ended and its hash.

    Each part checked the links inside it; the link between two parts (the first row
    of one naming the last hash of the one before) is checked here. A part that ran
    out of time leaves the link after it unchecked and the walk incomplete, but a
    break found further on is still reported.
    """
    expected = 1
    known: str | None = GENESIS_HASH  # None after a part that ran out of time
    stopped_at: int | None = None
    broken: Break | None = None
    for index, part in enumerate(walked):
        if known is not None and part.first_prev is not None and part.first_prev != known:
            broken = await _diagnose_at(db, part.first, known, result)
        elif part.suspect is not None:
            at, before = part.suspect
            broken = await _diagnose_at(db, at, before if before is not None else known, result)
        elif not part.complete:
            stopped_at = part.next_expected - 1 if stopped_at is None else stopped_at
            known = None
            continue
        elif part.next_expected <= part.last and index + 1 < len(walked):
            following = (p.first_seq for p in walked[index + 1 :] if p.first_seq is not None)
            end = next(following, result.head_seq + 1) - 1
            gap = f"{part.next_expected}..{end}" if end > part.next_expected else f"{end}"
            broken = Break("deleted", part.next_expected, f"event(s) {gap} are missing")
        if broken is not None:
            break
        expected = part.next_expected
        known = part.last_hash if part.last_hash is not None else known
    if stopped_at is not None:
        result.complete = False
        result.notes.append(f"stopped after {max_seconds} s at event {stopped_at}")
    if broken is not None:
        return broken
    return expected, known or GENESIS_HASH


async def _diagnose_at(
    db: Database, expected: int, prev_hash: str | None, result: VerifyResult
) -> Break:
    """Name what is wrong with the first row from `expected` on, reading it again."""
    async with db.transaction() as session:
        rows = await repository.chain_batch(
            session, after_seq=expected - 1, last_seq=result.head_seq, limit=2
        )
        if not rows:
            missing = f"{expected}..{result.head_seq}"
            return Break("deleted", expected, f"event(s) {missing} are missing")
        return await _diagnose(session, rows, expected, prev_hash, result.head_hash)


async def _diagnose(
    session: Any, rows: Sequence[Any], expected: int, prev_hash: str | None, head_hash: str
) -> Break:
    row = rows[0]
    seq, stored_prev, stored_hash = row[0], row[_N], row[_N + 1]
    if seq != expected:
        missing = f"{expected}" if seq == expected + 1 else f"{expected}..{seq - 1}"
        return Break("deleted", expected, f"event(s) {missing} are missing")
    intact = stored_row_hash(stored_prev, row) == stored_hash
    if stored_prev != prev_hash:
        other = await repository.seq_of_hash(session, stored_prev)
        if other is not None and other != seq - 1:
            return Break("reordered", seq, f"event {seq} follows event {other}, not {seq - 1}")
        if not intact:
            return Break("edited", seq, f"event {seq} does not match its hash")
        if await _successor_links_to(session, rows, 0, stored_hash, head_hash):
            msg = f"event {seq - 1} was rewritten and its hash recomputed"
            return Break("edited", seq - 1, msg)
        return Break("bad_prev_link", seq, f"event {seq} does not link to event {seq - 1}")
    if not intact:
        return Break("edited", seq, f"event {seq} does not match its hash")
    return Break("checkpoint_mismatch", seq, f"event {seq} differs from its signed checkpoint")


async def _successor_links_to(
    session: Any, rows: Sequence[Any], index: int, digest: str, head_hash: str
) -> bool:
    """True when the event after rows[index] (or the head) names `digest` as its predecessor."""
    if index + 1 < len(rows):
        return bool(rows[index + 1][_N] == digest)
    seq = rows[index][0]
    following = await repository.chain_batch(session, after_seq=seq, last_seq=seq + 1, limit=1)
    return bool(following[0][_N] == digest) if following else head_hash == digest


def _check_tail(
    expected: int, prev_hash: str, head_seq: int, head_hash: str, anchors: Mapping[int, str]
) -> Break | None:
    last = expected - 1
    if last < head_seq:
        return Break("deleted", last + 1, f"event(s) {last + 1}..{head_seq} are missing")
    if prev_hash != head_hash:
        return Break("head_mismatch", head_seq, "the chain head does not name the last event")
    stale = [seq for seq in anchors if seq > head_seq]
    if stale:
        msg = f"a signed checkpoint names event {min(stale)}, beyond the head"
        return Break("deleted", head_seq + 1, msg)
    return None
