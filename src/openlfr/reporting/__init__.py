"""Published records and reports: deployment records, transparency reports and the public
notice, made from the facts the services read (``openlfr.services.records``), and the
identification and equitability study's report (``openlfr.evaluation.study``), rendered as CSV,
JSON and self-contained HTML. Nothing here reads the database or changes anything."""
