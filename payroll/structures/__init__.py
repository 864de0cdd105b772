"""Salary structure rules, and the shipped example structures file (northwind.toml)."""
