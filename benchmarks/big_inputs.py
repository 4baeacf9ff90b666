"""Wall time and peak memory of `crawler extract` and `crawler entities` on hostile inputs.

Usage: .venv/bin/python benchmarks/big_inputs.py [--sizes 1 5 30] [--kinds seed page text]
       [--commands extract extract-entities entities] [--timeout 420]

Generates inputs of the given sizes (MB) from the real seed's text repeated (seeds/*.txt):
a seed file (the seed's paragraphs over and over), a saved HTML page of those paragraphs,
and a text of one paragraph (the same lines without a blank line between them, the worst
case for entity extraction); runs each command on each input as a subprocess and prints
its exit code, wall time, peak resident memory of the largest process of its tree (VmHWM,
read from /proc while it runs) and the first line it printed on stderr (its reason).
"""

from __future__ import annotations

import argparse
import html
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.memory import tree_peaks  # noqa: E402

MB = 1024 * 1024
# Each command's arguments before the input, and the inputs it reads: extract takes seeds
# and pages (with --entities, as `crawler replay` runs it), entities plain text.
COMMANDS = {
    "extract": (["extract"], ("seed", "page", "text")),
    "extract-entities": (["extract", "--entities"], ("seed", "page", "text")),
    "entities": (["entities"], ("seed", "text")),
}


def real_seed() -> tuple[str, list[str]]:
    """The first seed's header line and its paragraphs."""
    seed = sorted((PROJECT / "seeds").glob("*.txt"))[0]
    header, _, rest = seed.read_text(encoding="utf-8").lstrip("\n").partition("\n")
    return header, [" ".join(block.split()) for block in rest.split("\n\n") if block.strip()]


def variant(paragraph: str, copy: int) -> str:
    """The paragraph as copy number `copy` writes it: its own dateline, its sentences
    rotated, so that no reader can drop it as a repeat (a page reader drops repeated
    paragraphs, the tagger remembers repeated sentences)."""
    sentences = paragraph.split(". ")
    turn = copy % len(sentences)
    rotated = ". ".join(sentences[turn:] + sentences[:turn])
    return f"Ngày {copy % 28 + 1}-{copy // 28 % 12 + 1}, {rotated}"


def repeated(paragraphs: list[str], size: int, separator: str) -> str:
    """The paragraphs over and over, each copy a variant, as many copies as `size` bytes
    of UTF-8 hold (one at least)."""
    parts, total, copy = [], 0, 0
    while True:
        one = separator.join(variant(p, copy) for p in paragraphs)
        total += len(one.encode("utf-8")) + len(separator)
        if parts and total > size:
            return separator.join(parts)
        parts.append(one)
        copy += 1


def make_input(kind: str, size_mb: float, folder: Path) -> Path:
    header, paragraphs = real_seed()
    size = int(size_mb * MB) - 4096  # room for the header line or the page's markup
    path = folder / f"{kind}-{size_mb:g}mb.{'html' if kind == 'page' else 'txt'}"
    if kind == "seed":
        text = f"{header}\n\n{repeated(paragraphs, size, chr(10) * 2)}\n"
    elif kind == "text":  # one paragraph: lines with no blank line between them
        text = f"{header}\n\n{repeated(paragraphs, size, chr(10))}\n"
    else:
        title = html.escape(header.split(None, 2)[2])
        tags, total = [], 0
        for line in repeated(paragraphs, size, "\n").split("\n"):
            tags.append(f"<p>{html.escape(line)}</p>")
            total += len(tags[-1].encode("utf-8")) + 1
            if total > size:  # the markup has made it longer than the text
                tags.pop()
                break
        body = "\n".join(tags)
        text = (
            f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
            '<meta property="article:published_time" content="2022-01-04T08:00:00+07:00">'
            f"</head><body><article><h1>{title}</h1>\n{body}\n</article></body></html>\n"
        )
    path.write_text(text, encoding="utf-8")
    return path


def measure(command: list[str], timeout: float) -> tuple[int | str, float, int, str]:
    """Exit code (or "timeout"), wall seconds, the peak RSS in MB of the largest process
    of its tree, and the first line of stderr."""
    peaks: dict[int, int] = {}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=PROJECT, stdout=out, stderr=err, start_new_session=True
        )
        status: int | str | None = None
        while status is None:
            for pid, peak in tree_peaks(process.pid).items():
                peaks[pid] = max(peak, peaks.get(pid, 0))
            if time.perf_counter() - start > timeout:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                status = "timeout"
            else:
                status = process.poll()
                time.sleep(0.02)
        elapsed = time.perf_counter() - start
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    peak = max(peaks.values(), default=0) // 1024
    return status, elapsed, peak, (lines[0] if lines else "")[:110]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 30], metavar="MB")
    parser.add_argument("--kinds", nargs="+", default=["seed", "page", "text"],
                        choices=["seed", "page", "text"])  # fmt: skip
    parser.add_argument("--commands", nargs="+", default=list(COMMANDS),
                        choices=list(COMMANDS))  # fmt: skip
    parser.add_argument("--timeout", type=float, default=420, help="seconds a run may take")
    args = parser.parse_args()
    print(f"{'command':<16} {'input':<15} {'exit':>7} {'wall s':>7} {'peak MB':>8}  stderr")
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            for kind in args.kinds:
                path = make_input(kind, size, Path(folder))
                for name in args.commands:
                    arguments, kinds = COMMANDS[name]
                    if kind not in kinds:
                        continue
                    command = [sys.executable, "-m", "crawler", *arguments, str(path)]
                    status, elapsed, peak, first = measure(command, args.timeout)
                    print(f"{name:<16} {path.name:<15} {status!s:>7} {elapsed:>7.1f} "
                          f"{peak:>8}  {first}", flush=True)  # fmt: skip
                path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
