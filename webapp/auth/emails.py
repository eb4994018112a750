"""The words of the account emails: password reset, password changed, confirm a sign-up.

Each goes through the outbox (`queue_email`) with no in-app alert: the person may not have an
account yet, or may not be able to log in. Subjects say nothing about health.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from webapp.notifications import services as outbox  # a module: the two packages import each other

FORGOT_PATH = "/auth/password/forgot"


def send_reset_link(to_address: str, token: str, now: datetime) -> None:
    """The link that lets the owner of the address choose a new password."""
    outbox.queue_email(
        to_address,
        "Choose a new password",
        "Someone (we hope you) asked to choose a new password for the HomeStretch account "
        "that uses this address.\n\n"
        "Open the link below to choose one. It works once, for one hour.\n\n"
        "If you did not ask, ignore this email: your password stays as it is.",
        why="You get this email because a new password was asked for on the HomeStretch "
        "log-in page with this address.",
        link=f"/auth/password/reset/{token}",
        now=now,
    )


def send_password_changed(
    to_address: str, timezone: str, now: datetime, *, how: str = "reset"
) -> None:
    """Tell the owner their password was changed, through a reset link ("reset") or on the
    profile page ("profile")."""
    when = now.astimezone(ZoneInfo(timezone))
    means = (
        "using a link we emailed to this address. Every device that was logged in has been "
        "logged out."
        if how == "reset"
        else "on the profile page of a logged-in device. Every other device has been logged out."
    )
    outbox.queue_email(
        to_address,
        "Your password was changed",
        f"The password of your HomeStretch account was changed on {when:%a} {when.day} "
        f"{when:%b %Y} at {when:%H:%M %Z}, {means}\n\n"
        "If that was you, there is nothing more to do. If it was not, choose a new password "
        "straight away with the link below.",
        why="You get this email because the password of your HomeStretch account changed.",
        link=FORGOT_PATH,
        now=now,
    )


def send_signup_confirmation(to_address: str, token: str, now: datetime) -> None:
    """The link that proves the address and creates the account."""
    outbox.queue_email(
        to_address,
        "Confirm your email address",
        "Welcome to HomeStretch. To finish creating your account, open the link below. It "
        "works once, for 24 hours.\n\n"
        "If you did not sign up, ignore this email: no account is created.",
        why="You get this email because this address was typed into the HomeStretch sign-up form.",
        link=f"/auth/signup/confirm/{token}",
        now=now,
    )


def send_signup_attempt_notice(to_address: str, now: datetime) -> None:
    """The address already has an account: tell its owner instead of saying so on the page."""
    outbox.queue_email(
        to_address,
        "Someone tried to sign up with your address",
        "Someone tried to create a HomeStretch account with this address. You already have "
        "one, so nothing was created.\n\n"
        "If it was you, log in with this address, or reset your password with the link "
        "below. If it was not you, you can ignore this email: your account is unchanged.",
        why="You get this email because this address was typed into the HomeStretch sign-up form.",
        link=FORGOT_PATH,
        now=now,
    )


def send_email_changed(old_address: str, new_address: str, timezone: str, now: datetime) -> None:
    """Tell the old address that the account now uses another one."""
    when = now.astimezone(ZoneInfo(timezone))
    outbox.queue_email(
        old_address,
        "Your email address was changed",
        f"On {when:%a} {when.day} {when:%b %Y} at {when:%H:%M %Z} your HomeStretch account was "
        f"changed to log in with {new_address} instead of this address.\n\n"
        "If that was you, there is nothing more to do. If it was not, someone knows your "
        "password: write to your HomeStretch administrator straight away.",
        why="You get this email because this address was the one your HomeStretch account used.",
        link="/auth/login",
        now=now,
    )
