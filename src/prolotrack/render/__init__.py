"""Turning records into tables, CSV, JSON and plain text. Never queries the database."""
