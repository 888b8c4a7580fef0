"""`helio payments simulate …`: deliver the provider simulator's signed event (development)."""

from __future__ import annotations

import asyncio
import shlex

import httpx
import typer

from helio.config import get_settings
from helio.errors import AppError
from helio.main import build_app
from helio.payments.simulate import OUTCOMES, SignedEvent, signed_event
from helio.platform.context import Ctx

payments_app = typer.Typer(help="The payment provider simulator.", no_args_is_help=True)
WEBHOOK_PATH = "/api/v1/webhooks/payments"


async def _event(payment_id: str, outcome: str) -> SignedEvent:
    app = build_app(get_settings())
    try:
        async with app.db.transaction() as session:
            return await signed_event(
                session, Ctx.system(app), payment_id=payment_id, outcome=outcome
            )
    finally:
        await app.close()


@payments_app.command("simulate")
def simulate(
    payment_id: str = typer.Argument(..., help="the payment request's id"),
    outcome: str = typer.Option("succeeded", help="succeeded, failed or refunded"),
    send: bool = typer.Option(False, "--send", help="post it to this server's webhook"),
) -> None:
    """Sign a provider event about a payment; print it as curl, or post it with --send."""
    if outcome not in OUTCOMES:
        raise typer.BadParameter(f"one of {', '.join(OUTCOMES)}")
    try:
        event = asyncio.run(_event(payment_id, outcome))
    except AppError as refused:
        typer.echo(f"error: {refused.message}", err=True)
        raise typer.Exit(1) from refused
    # The server's own origin from the settings, never a URL taken from the command line.
    url = get_settings().public_url.rstrip("/") + WEBHOOK_PATH
    if not send:
        headers = " ".join(f"-H {shlex.quote(f'{k}: {v}')}" for k, v in event.headers.items())
        typer.echo(
            f"curl -sS -X POST {url} {headers} --data-binary {shlex.quote(event.body.decode())}"
        )
        return
    answer = httpx.post(url, content=event.body, headers=event.headers, timeout=10)
    typer.echo(f"{answer.status_code} {answer.text}")
