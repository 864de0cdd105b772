"""Search quality on both back-ends: runs the evaluation script against SQLite and against
a throwaway PostgreSQL 15 cluster, and writes the figures to bench/results.

    .venv/bin/python bench/search_quality.py [--eval-dir ../shared/eval/search]
        [--queries FILE] [--only sqlite|postgresql]

The evaluation imports the article corpus with `manage.py kb_import`, asks
`GET /api/search` every query as a plain signed-in employee and reports hit@1, hit@3 and
MRR@10 overall and per kind of query. Targets: hit@3 ≥ 0.90 and MRR@10 ≥ 0.80 overall,
and no kind below hit@3 0.75.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import write

ROW = re.compile(r"^(\S+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$")


def evaluate(script: Path, args: list[str], env: dict) -> dict:
    result = subprocess.run(  # noqa: S603 -- our interpreter and the evaluation script
        [sys.executable, str(script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"evaluation failed:\n{result.stdout}\n{result.stderr}")
    kinds, misses = {}, []
    for line in result.stdout.splitlines():
        match = ROW.match(line.strip())
        if match:
            kind, n, hit1, hit3, mrr = match.groups()
            kinds[kind] = {
                "n": int(n),
                "hit@1": float(hit1),
                "hit@3": float(hit3),
                "mrr@10": float(mrr),
            }
        elif line.startswith("miss "):
            misses.append(line[5:])
        elif line.startswith("latency"):
            latency = line
    print(result.stdout)
    return {"kinds": kinds, "latency": latency, "misses": misses}


def on_postgres(script: Path, args: list[str]) -> dict:
    from tests.integration.services import PostgresServer, free_ports

    folder = Path(tempfile.mkdtemp(prefix="ess-search-quality-"))
    folder.chmod(0o755)  # the postgres user must reach its data folder inside
    (port,) = free_ports(1)
    password = os.urandom(12).hex()
    server = PostgresServer(
        run_dir=folder, port=port, user="ess", password=password, database="ess_search"
    )
    server.start()
    try:
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://ess:{password}@127.0.0.1:{port}/ess_search",
        }
        return evaluate(script, [*args, "--keep-db"], env)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def passes(kinds: dict) -> bool:
    overall = kinds.get("all", {})
    return (
        overall.get("hit@3", 0) >= 0.90
        and overall.get("mrr@10", 0) >= 0.80
        and all(figures["hit@3"] >= 0.75 for figures in kinds.values())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", default=str(ROOT.parent / "shared" / "eval" / "search"))
    parser.add_argument("--queries", help="a query file other than the development set")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    options = parser.parse_args()
    script = Path(options.eval_dir) / "evaluate.py"
    if not script.exists():
        sys.exit(f"no evaluation script at {script}; pass --eval-dir")
    args = ["--show-misses", "50"]
    if options.queries:
        args += ["--queries", options.queries]
    results = {}
    if options.only in (None, "sqlite"):
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        results["sqlite"] = evaluate(script, args, env)
    if options.only in (None, "postgresql"):
        results["postgresql"] = on_postgres(script, args)
    for backend, figures in results.items():
        figures["meets_targets"] = passes(figures["kinds"])
        overall = figures["kinds"].get("all", {})
        print(
            f"{backend}: hit@3 {overall.get('hit@3')} MRR@10 {overall.get('mrr@10')} "
            f"targets {'met' if figures['meets_targets'] else 'NOT met'}"
        )
    path = write("search_quality", {"queries": options.queries or "development set", **results})
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
