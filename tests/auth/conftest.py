"""Reading account emails as a person would: deliver the outbox, open the newest email to an
address, follow its link."""

from urllib.parse import urlsplit

import pytest

from tests.mail import links_in, text_of


class Mailbox:
    """The emails the real SMTP server received, after the worker ran."""

    def __init__(self, smtp, deliver):
        self.smtp, self.deliver = smtp, deliver

    def messages(self, to: str) -> list:
        """Deliver what is waiting, then every email to the address, oldest first."""
        self.deliver()
        return self.smtp.messages(to)

    def newest(self, to: str):
        messages = self.messages(to)
        assert messages, f"no email to {to}"
        return messages[-1]

    def link(self, to: str) -> str:
        """The path of the first link in the newest email to the address."""
        return urlsplit(links_in(self.newest(to))[0]).path

    def text(self, to: str) -> str:
        return text_of(self.newest(to))


@pytest.fixture
def mailbox(smtp, deliver) -> Mailbox:
    return Mailbox(smtp, deliver)
