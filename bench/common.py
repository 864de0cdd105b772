"""Shared set-up for the benchmarks: a fresh database, seeded once, and a timer."""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def setup_django(name: str) -> Path | None:
    """Point Django at a throwaway SQLite file (unless DATABASE_URL is set) and load it."""
    sys.path.insert(0, str(ROOT))
    database = None
    if "DATABASE_URL" not in os.environ:
        database = Path(tempfile.mkdtemp(prefix=f"ess-bench-{name}-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    # Generated files (the handbook PDF) go to a throwaway folder too, not ./media.
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix=f"ess-bench-{name}-media-"))
    os.environ["ESS_BENCH"] = "1"  # before the settings load: keep our DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    return database


def seed(scale: int) -> float:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", "--scale", str(scale), stdout=quiet)
    return time.perf_counter() - started


def measure(call, runs: int) -> dict:
    """Run `call` once to warm up, then `runs` times; milliseconds."""
    call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "runs": runs,
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(int(len(samples) * 0.95) - 1, 0)], 1),
        "max_ms": round(samples[-1], 1),
    }


def write(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path
