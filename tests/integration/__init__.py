"""Integration tests: real PostgreSQL, Redis, Celery worker and SMTP sink.

They need environment variables set before Django loads, so they run in their own pytest
process: `.venv/bin/python -m tests.integration.run` (see run.py).
"""
