"""bulletin: turn news articles into podcast-ready audio bulletins."""

__version__ = "0.1.0"
