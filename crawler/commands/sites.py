"""`crawler sites`: the registry's entries."""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler.commands.base import EXIT_OK, CliError, project_settings
from crawler.sites import RegistryError, load_sites

HELP = "list the sites of the registry"
EXAMPLE = "crawler sites"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    path = Path(project_settings()["CRAWLER_SITES"])
    try:
        sites = load_sites(path)
    except RegistryError as exc:
        raise CliError(str(exc)) from exc
    print(f"{len(sites)} sites in {path}")
    print(f"{'id':<14} {'profile':<13} {'province':<18} {'merged into':<14} hosts")
    for site in sites:
        flags = ("" if site.verified else " (unverified)") + ("" if site.enabled else " (off)")
        print(
            f"{site.id:<14} {site.profile:<13} {site.province:<18} "
            f"{site.merged_into or '-':<14} {', '.join(site.hosts)}{flags}"
        )
    return EXIT_OK
