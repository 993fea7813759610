"""Published records: deployment records, transparency reports and the public notice, made
from the facts the services read (``openlfr.services.records``) and rendered as CSV, JSON and
self-contained HTML. Nothing here reads the database or changes anything."""
