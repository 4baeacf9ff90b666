"""`crawler schedule`: run `crawler nightly` on a cron schedule, in the foreground."""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler.commands.base import EXIT_OK, CliError, project_settings, require_elasticsearch

HELP = "run `crawler nightly` on a cron schedule (Asia/Ho_Chi_Minh), in the foreground"
EXAMPLE = 'crawler schedule --cron "30 1 * * *"'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cron", help="cron expression (default: CRAWLER_NIGHTLY_CRON, 0 2 * * *)")


def run(args: argparse.Namespace) -> int:
    from crawler.schedule import ScheduleError, nightly_command, run_service

    settings = project_settings()
    require_elasticsearch(settings)
    try:
        cron = args.cron or settings["CRAWLER_NIGHTLY_CRON"]
        run_service(cron, Path(settings["CRAWLER_RUNS_DIR"]), nightly_command())
    except ScheduleError as exc:
        raise CliError(str(exc)) from exc
    return EXIT_OK
