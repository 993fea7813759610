"""The one error the rules raise.

It is an ``LfrError`` (``openlfr.errors``, a leaf module with no imports), so
the whole project has one root: an adapter or ``Store.action`` that catches
``LfrError`` catches every refusal a user can cause.
"""

from openlfr.errors import LfrError


class DomainError(LfrError):
    """A refused action: one line saying what was refused, why, and what to do."""
