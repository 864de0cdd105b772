"""Filled in by the service desk feature work."""
