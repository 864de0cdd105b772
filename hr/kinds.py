"""Notification kinds for personal-data changes."""
