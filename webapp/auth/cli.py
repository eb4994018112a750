"""`flask users ...` commands."""

import click
from flask.cli import AppGroup

from webapp.auth.services import register_user
from webapp.errors import DomainError
from webapp.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", default="Administrator", show_default=True)
@click.option("--timezone", default="UTC", show_default=True)
@click.password_option()
def create_admin(email: str, display_name: str, timezone: str, password: str) -> None:
    """Create an administrator account (admins vet aides)."""
    try:
        user = register_user(
            email=email,
            password=password,
            role="admin",
            display_name=display_name,
            timezone=timezone,
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Admin {user.email} created.")
