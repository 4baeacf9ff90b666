"""`crawler watch` (being written)."""

from __future__ import annotations

import argparse

from crawler.commands.base import CliError

HELP = "(being written)"
EXAMPLE = "crawler watch --help"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """None yet."""


def run(args: argparse.Namespace) -> int:
    raise CliError("not written yet")
