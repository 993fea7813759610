"""The one error the rules raise.

It is an ``LfrError`` (``openlfr.errors``, a leaf module with no imports), so
the whole project has one root: an adapter or ``Store.action`` that catches
``LfrError`` catches every refusal a user can cause.
"""

from openlfr.errors import LfrError


class DomainError(LfrError):
    """A refused action: one line saying what was refused, why, and what to do."""


# The kinds an adapter tells apart (the API's status codes); the CLI prints them all alike.
class Forbidden(DomainError):
    """The acting user's roles do not allow the action."""


class NotFound(DomainError):
    """The thing the action names does not exist."""


class Invalid(DomainError):
    """A submission that breaks a field's rules."""


class Unauthenticated(DomainError):
    """Who is acting is not proven: a wrong password, a locked name, an ended session."""


class Throttled(DomainError):
    """Too many failed tries: wait ``retry_after`` seconds and try again."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
