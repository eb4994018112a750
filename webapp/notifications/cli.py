"""`flask worker`: the clock's scheduled pass, then delivering the email outbox."""

import time

import click
from flask.cli import with_appcontext

from webapp.database import utcnow
from webapp.extensions import db
from webapp.notifications.clock import run_pass
from webapp.notifications.delivery import run_once

#: Seconds between scheduled passes when looping (reminders and no-shows are minute-grained).
PASS_EVERY = 60.0


@click.command("worker")
@click.option("--loop", is_flag=True, help="Keep going, checking every few seconds.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between checks.")
@with_appcontext
def worker_command(loop: bool, interval: float) -> None:
    """Send the notices the clock calls for and the emails waiting in the outbox (once, or with
    --loop until stopped). Several workers may run at once."""
    last_pass = None
    while True:
        if last_pass is None or time.monotonic() - last_pass >= PASS_EVERY:
            report = run_pass(utcnow())
            db.session.remove()
            last_pass = time.monotonic()
            if report.total:
                click.echo(f"Scheduled pass: {report}.")
        count = run_once()
        db.session.remove()
        if count:
            click.echo(f"Attempted {count} email(s).")
        if not loop:
            return
        if not count:
            time.sleep(interval)
