"""Persistence: tables, migrations, envelope encryption and the audit log."""
