"""The operator console: server-rendered pages (Jinja2) over the same services as the API, with
one small script of our own (the live alert feed, the image check, the closing banner) and
nothing fetched from elsewhere."""
