"""Watchlist search: exact cosine search over templates, with score normalisation."""
