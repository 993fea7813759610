"""The rules that make a deployment lawful, as plain dataclasses and functions.

Nothing here knows about databases, files or models: services load entities
from the store, call these rules, and save what they changed. Every refusal is
a ``DomainError`` whose message says what was refused and what to do.
"""
