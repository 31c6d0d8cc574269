"""stackpick: pick Express, Flask or Django from what you are building, then generate it."""

__version__ = "0.1.0"
