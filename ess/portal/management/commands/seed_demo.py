import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ess.portal.seeding import COMPANY_NAME, DEMO_PASSWORD, SeedContext, seed_hooks
from hr.models import Employee


class Command(BaseCommand):
    help = f"Create the demo company, {COMPANY_NAME}, with people, roles and each app's data."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply volumes (1 = about 150 employees; 67 ≈ 10,000) for benchmarks.",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds employees.",
        )

    def handle(self, *args, scale: int, seed: int, if_empty: bool, **options) -> None:
        if scale < 1:
            raise CommandError("--scale must be 1 or more")
        if Employee.objects.exists():
            if if_empty:
                self.stdout.write("Demo data is already loaded; nothing to do.")
                return
            raise CommandError(
                "The database already holds employees. Seed an empty database "
                "(or pass --if-empty to skip)."
            )
        started = time.perf_counter()
        # Demo data needs repeatability, not secrecy.
        rng = random.Random(seed)  # noqa: S311
        ctx = SeedContext(rng=rng, scale=scale, write=self.stdout.write)
        for label, hook in seed_hooks():
            step = time.perf_counter()
            with transaction.atomic():
                hook(ctx)
            self.stdout.write(f"  {label}: {time.perf_counter() - step:.1f}s")
        self.stdout.write(
            self.style.SUCCESS(f"{COMPANY_NAME} is ready in {time.perf_counter() - started:.1f}s.")
        )
        self.stdout.write(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
        for role, email, note in ctx.logins:
            self.stdout.write(f"  {role:<16} {email:<40} {note}")
