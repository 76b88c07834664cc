"""prolotrack: a treatment-session tracker for prolotherapy."""

__version__ = "0.1.0"
