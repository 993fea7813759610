"""openlfr: open live facial recognition for lawful, accountable use."""

__version__ = "0.1.0"
