"""The demo company's shared context and the per-app hook that `seed_demo` calls.

Each app that has demo data provides `<app>/seed.py` with `seed_demo(ctx: SeedContext)`.
Apps run in INSTALLED_APPS order, so `hr` (the people) comes before the apps that use them.
"""

import importlib
import random
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

DEMO_PASSWORD = "northwind-demo-2026"  # noqa: S105  (printed for the demo; never production)
COMPANY_NAME = "Northwind Logistics"
EMAIL_DOMAIN = "northwind.example"


@dataclass
class SeedContext:
    rng: random.Random
    scale: int
    write: Any  # callable(str) that prints progress
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, email, note)
    shared: dict[str, Any] = field(default_factory=dict)  # what one app hands to the next


def seed_hooks() -> list[tuple[str, Any]]:
    hooks = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.seed")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.seed":
                raise
            continue
        hooks.append((config.label, module.seed_demo))
    hooks.sort(key=lambda hook: hook[0] == "search")  # the index reads every app's demo data
    return hooks
