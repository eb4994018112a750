"""`flask worker`: deliver the email outbox."""

import time

import click
from flask.cli import with_appcontext

from webapp.extensions import db
from webapp.notifications.delivery import run_once


@click.command("worker")
@click.option("--loop", is_flag=True, help="Keep delivering, checking every few seconds.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between checks.")
@with_appcontext
def worker_command(loop: bool, interval: float) -> None:
    """Send the emails waiting in the outbox (once, or with --loop until stopped)."""
    while True:
        count = run_once()
        db.session.remove()
        if count:
            click.echo(f"Attempted {count} email(s).")
        if not loop:
            return
        if not count:
            time.sleep(interval)
