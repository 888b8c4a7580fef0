"""What the worker runs: job families, each a module under `helio.worker.jobs` with a `FAMILY`.

A family names its jobs (run when enqueued) and its scheduled jobs (cron). To add
one (document scanning, the daily self-audit), write `helio/worker/jobs/<name>.py`
with a `FAMILY` and list it in `helio.worker.jobs.FAMILIES`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from helio.state.jobs import Retrying

if TYPE_CHECKING:
    from helio.worker.context import WorkerContext

JobFunction = Callable[..., Awaitable[None]]  # (WorkerContext, **kwargs) -> None


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A job run when enqueued: retried with exponential backoff, then dead-lettered."""

    name: str
    run: JobFunction
    # Attempts in all (the first included), the delay before the first retry (doubling
    # each time, with jitter), its cap, and the seconds one attempt may take.
    retrying: Retrying = field(default_factory=Retrying)


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    """A job run on a cron schedule (UTC) by whichever worker holds the schedule lock."""

    name: str
    cron: str
    run: Callable[[WorkerContext], Awaitable[Any]]
    timeout: int = 600


@dataclass(frozen=True, slots=True)
class Family:
    """One module's jobs and schedules."""

    name: str
    jobs: tuple[JobSpec, ...] = ()
    schedules: tuple[ScheduledJob, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Registry:
    """Every job and schedule by name; names are unique across families."""

    jobs: dict[str, JobSpec]
    schedules: dict[str, ScheduledJob]

    @classmethod
    def of(cls, families: tuple[Family, ...]) -> Registry:
        """Collect the families; a name used twice is a programming error."""
        jobs: dict[str, JobSpec] = {}
        schedules: dict[str, ScheduledJob] = {}
        for family in families:
            for job in family.jobs:
                if job.name in jobs or job.name in schedules:
                    raise ValueError(f"job name {job.name!r} registered twice")
                jobs[job.name] = job
            for scheduled in family.schedules:
                if scheduled.name in jobs or scheduled.name in schedules:
                    raise ValueError(f"job name {scheduled.name!r} registered twice")
                schedules[scheduled.name] = scheduled
        return cls(jobs, schedules)


def default_registry() -> Registry:
    """The registry of every family in `helio.worker.jobs.FAMILIES`."""
    from helio.worker.jobs import FAMILIES

    return Registry.of(FAMILIES)
