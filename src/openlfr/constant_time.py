"""Comparing secrets without leaking where they differ, whatever characters they hold."""

import hmac


def same(a: str, b: str) -> bool:
    """Whether ``a`` equals ``b``, in time that does not depend on where they differ. Any text:
    ``hmac.compare_digest`` raises on non-ASCII strings, which a forged header or an edited
    row may hold."""
    return hmac.compare_digest(a.encode(), b.encode())
