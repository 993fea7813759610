"""The HTTP API (``/api/v1``): thin routes over the same services the CLI calls.

``create_app(settings)`` builds it; ``lfr serve`` runs it with uvicorn. Every
request proves who is acting (a session cookie with its CSRF token, or a bearer
token); every rule, role check and audit entry is the services' own.
"""

from openlfr.api.app import create_app

__all__ = ["create_app"]
