"""The one error the rules raise."""


class DomainError(Exception):
    """A refused action: one line saying what was refused, why, and what to do."""
