"""The base of every error a user can cause and fix."""


class LfrError(Exception):
    """One clear line: what went wrong with which thing, and what to do."""
