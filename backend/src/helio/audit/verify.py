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
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from helio.audit import repository
from helio.audit.chain import GENESIS_HASH, HASHED_FIELDS, stored_row_hash, stored_row_matches
from helio.audit.checkpoints import checkpoint_is_valid
from helio.db import Database

Progress = Callable[[int, int], None]
"""Called with (events checked, events to check) after each batch."""

_N = len(HASHED_FIELDS)
DEFAULT_BATCH = 20_000


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

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary."""
        return asdict(self)


@dataclass
class _Walk:
    expected: int = 1
    prev_hash: str = GENESIS_HASH
    anchors: dict[int, str] = field(default_factory=dict)  # seq -> hash a valid checkpoint signed


async def verify_chain(
    db: Database,
    *,
    public_keys: Mapping[str, Ed25519PublicKey] | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    max_seconds: float | None = None,
) -> VerifyResult:
    """Verify the whole chain up to the head as it is when the walk starts.

    Args:
        db: the database holding the trail.
        public_keys: checkpoint verification keys by key id; checkpoints signed
            by other keys are counted as unverifiable, not trusted.
        batch_size: events read per query.
        progress: called after each batch.
        max_seconds: stop early (result `complete=False`) after this long.

    Returns:
        The result; `broken` names the first broken link, if any.
    """
    started = time.monotonic()
    async with db.transaction() as session:
        head_seq, head_hash = await repository.read_head(session)
        stored = await repository.checkpoints(session)
    result = VerifyResult(ok=True, complete=True, checked=0, head_seq=head_seq, head_hash=head_hash)
    walk = _Walk()
    bad_checkpoint = _check_checkpoints(stored, public_keys or {}, walk, result)
    result.broken = await _walk_chain(db, walk, result, batch_size, progress, started, max_seconds)
    if result.broken is None and result.complete:
        result.broken = _check_tail(walk, head_seq, head_hash) or bad_checkpoint
    result.ok = result.broken is None
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _check_checkpoints(
    stored: Sequence[Any], keys: Mapping[str, Ed25519PublicKey], walk: _Walk, result: VerifyResult
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
        walk.anchors[checkpoint.seq] = checkpoint.head_hash
    if result.checkpoints_unverifiable:
        result.notes.append(
            f"{result.checkpoints_unverifiable} checkpoint(s) signed by unknown keys were not used"
        )
    return first_bad


async def _walk_chain(
    db: Database,
    walk: _Walk,
    result: VerifyResult,
    batch_size: int,
    progress: Progress | None,
    started: float,
    max_seconds: float | None,
) -> Break | None:
    # The next batch is read while this one is hashed: the database works meanwhile.
    pending = asyncio.ensure_future(_read(db, 0, result.head_seq, batch_size))
    try:
        while True:
            rows = await pending
            if not rows:
                return None
            if rows[-1][0] < result.head_seq:
                pending = asyncio.ensure_future(_read(db, rows[-1][0], result.head_seq, batch_size))
            bad = _scan(rows, walk)
            if bad is not None:
                async with db.transaction() as session:
                    return await _diagnose(session, rows, bad, walk, result.head_hash)
            result.checked += len(rows)
            if progress is not None:
                progress(result.checked, result.head_seq)
            if walk.expected > result.head_seq:
                return None
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                result.complete = False
                result.notes.append(f"stopped after {max_seconds} s at event {walk.expected - 1}")
                return None
    finally:
        if not pending.done():
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pending


async def _read(db: Database, after_seq: int, last_seq: int, limit: int) -> Sequence[Any]:
    async with db.transaction() as session:
        return await repository.chain_batch(
            session, after_seq=after_seq, last_seq=last_seq, limit=limit
        )


def _scan(rows: Sequence[Any], walk: _Walk) -> int | None:
    """Advance over intact rows; return the index of the first suspect row."""
    expected, prev_hash, anchors = walk.expected, walk.prev_hash, walk.anchors
    for index, row in enumerate(rows):
        seq, stored_prev, stored_hash = row[0], row[_N], row[_N + 1]
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


async def _diagnose(
    session: Any, rows: Sequence[Any], index: int, walk: _Walk, head_hash: str
) -> Break:
    row = rows[index]
    seq, stored_prev, stored_hash = row[0], row[_N], row[_N + 1]
    expected = walk.expected
    if seq != expected:
        missing = f"{expected}" if seq == expected + 1 else f"{expected}..{seq - 1}"
        return Break("deleted", expected, f"event(s) {missing} are missing")
    intact = stored_row_hash(stored_prev, row) == stored_hash
    if stored_prev != walk.prev_hash:
        other = await repository.seq_of_hash(session, stored_prev)
        if other is not None and other != seq - 1:
            return Break("reordered", seq, f"event {seq} follows event {other}, not {seq - 1}")
        if not intact:
            return Break("edited", seq, f"event {seq} does not match its hash")
        if await _successor_links_to(session, rows, index, stored_hash, head_hash):
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


def _check_tail(walk: _Walk, head_seq: int, head_hash: str) -> Break | None:
    last = walk.expected - 1
    if last < head_seq:
        return Break("deleted", last + 1, f"event(s) {last + 1}..{head_seq} are missing")
    if walk.prev_hash != head_hash:
        return Break("head_mismatch", head_seq, "the chain head does not name the last event")
    stale = [seq for seq in walk.anchors if seq > head_seq]
    if stale:
        msg = f"a signed checkpoint names event {min(stale)}, beyond the head"
        return Break("deleted", head_seq + 1, msg)
    return None
