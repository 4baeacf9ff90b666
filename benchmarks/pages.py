"""Article page reading, field by field: our reader against bare trafilatura + htmldate.

Usage: .venv/bin/python benchmarks/pages.py [--pages DIR] [--misses] [--baseline]

Reads every page of the corpus (tests/data/pages/ unless --pages) with the project's
reader as `crawler extract` runs it (the CMS profile when the page shows one), with the
generic reader alone, and with trafilatura's defaults plus htmldate; prints the share of
pages right per field, paragraph precision and recall, listings rejected and articles
kept. --misses lists what our reader got wrong; --baseline prints the figures as JSON
for tests/data/pages_baseline.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from crawler.pages.evaluation import bare_trafilatura, load_pages, ours, score  # noqa: E402

CORPUS = PROJECT / "tests" / "data" / "pages"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=CORPUS)
    parser.add_argument("--misses", action="store_true", help="list our reader's misses")
    parser.add_argument("--baseline", action="store_true", help="print figures as JSON")
    args = parser.parse_args()
    pages = load_pages(args.pages)
    if not pages:
        print(f"error: no NAME.html + NAME.json pages in {args.pages}", file=sys.stderr)
        return 2
    readers = {
        "ours": ours,
        "generic only": lambda page: ours(page, generic_only=True),
        "trafilatura+htmldate": bare_trafilatura,
    }
    results = {}
    for name, read in readers.items():
        started = time.perf_counter()
        figures, misses = score(pages, read)
        figures["ms per page"] = round(1000 * (time.perf_counter() - started) / len(pages), 1)
        results[name] = (figures, misses)
    if args.baseline:
        print(json.dumps({name: figures for name, (figures, _) in results.items()}, indent=2))
        return 0
    articles = sum(1 for p in pages if p.expected["article"])
    print(f"{len(pages)} pages ({articles} articles, {len(pages) - articles} not articles)")
    names = list(results)
    print(f"{'field':<22}" + "".join(f"{n:>22}" for n in names))
    for field in results["ours"][0]:
        print(f"{field:<22}" + "".join(f"{results[n][0][field]:>22}" for n in names))
    if args.misses:
        for name in ("ours", "generic only"):
            print(f"\nmisses of {name}:")
            for line in results[name][1]:
                print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
