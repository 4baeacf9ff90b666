"""The ``crawler`` command: one module per subcommand under crawler/commands/, each with
``HELP``, ``EXAMPLE``, ``add_arguments(parser)`` and ``run(args)`` (as scrapy/commands/)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType

from crawler.config import ConfigError

# In the order `crawler --help` lists them: the everyday ones first.
COMMANDS = (
    "search", "watch", "export", "person", "crawl", "nightly", "replay", "extract",
    "entities", "sites", "serve", "schedule", "index", "spool", "es",
)  # fmt: skip
EXIT_ERROR = 2


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Option help with its default, when it has one worth saying."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "%(default)" in text
            or default in (None, False, argparse.SUPPRESS)
            or not action.option_strings
        ):
            return text
        return f"{text} (default: %(default)s)"


def _version() -> str:
    try:
        return version("vn-police-news-crawler")
    except PackageNotFoundError:
        return "unknown (not installed)"


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"crawler.commands.{name}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of ``only``: a command's module imports what it
    runs with (Scrapy, the Elasticsearch client), so `crawler extract` does not wait for
    what `crawler es` needs."""
    parser = argparse.ArgumentParser(
        prog="crawler",
        description="Vietnamese provincial police news: crawl, index, search.",
        epilog="`crawler COMMAND --help` shows a command's options and an example.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show the Scrapy log")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in [only] if only in COMMANDS else COMMANDS:
        module = command_module(name)
        sub = commands.add_parser(
            name, help=module.HELP, description=module.HELP,
            epilog=f"example:\n  {module.EXAMPLE}", formatter_class=HelpFormatter,
        )  # fmt: skip
        sub.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                         help="show the Scrapy log")  # fmt: skip
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    from crawler.commands.base import CliError

    words = sys.argv[1:] if argv is None else argv
    named = next((word for word in words if not word.startswith("-")), None)
    args = build_parser(named).parse_args(words)
    try:
        code = args.run(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit as a traceback
        return code
    except (CliError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`crawler search x | head -1`): what it wanted it has.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
