"""Mail delivery: one job per message, queued by `helio.mail.outbox` after commit."""

from __future__ import annotations

from helio.mail.outbox import DELIVER_MAIL, decode
from helio.state.jobs import Retrying
from helio.worker.context import WorkerContext
from helio.worker.registry import Family, JobSpec


async def deliver_mail(worker: WorkerContext, *, message: str) -> None:
    """Hand one message to the SMTP relay (or the sink); an error means a retry.

    Raises:
        ValueError: the stored text is not a message (retrying will not help: dead letter).
    """
    await worker.transport.deliver(decode(message))


FAMILY = Family(
    name="mail",
    jobs=(JobSpec(DELIVER_MAIL, deliver_mail, Retrying(retries=6, retry_delay=5.0, timeout=120)),),
)
