"""Published records and reports: what a deployment and an evaluation produce for people to read."""
