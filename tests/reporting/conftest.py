"""The reporting tests use the services' store (each backend) and clock."""

from tests.services.conftest import clock, store

__all__ = ["clock", "store"]
