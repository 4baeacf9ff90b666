"""Imported once by the entity workers' fork server (multiprocessing's forkserver preload):
one extraction runs here, so that the CRF models, the rules' patterns and the place
gazetteer are loaded and compiled once, and every worker forked from it starts with them
instead of spending seconds building its own.

First, before that load, the fork server asks Linux to SIGKILL it when its parent dies
(PR_SET_PDEATHSIG): a killed crawl must not leave it running, nor forking new workers.
The signal follows the parent *thread* that started the server, hence
pipelines/entities.py starts it from the crawl's own thread.
"""

from __future__ import annotations

from crawler.processes import die_with_parent


def warm_up() -> None:
    from crawler.nlp.entities import extract

    extract("Đại tá Nguyễn Văn An, Giám đốc Công an tỉnh Lai Châu, làm việc tại Hà Nội.")


die_with_parent()
warm_up()
