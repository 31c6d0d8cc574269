"""`stackpick serve`: the web initializr and its HTTP API (needs the `web` extra).

Nothing here is imported by `--help`, `rules` or `recommend`: cli imports `stackpick.web.server`
only for `serve`.
"""
