"""Imported once by the entity workers' fork server (multiprocessing's forkserver preload):
one extraction runs here, so that the CRF models, the rules' patterns and the place
gazetteer are loaded and compiled once, and every worker forked from it starts with them
instead of spending seconds building its own."""

from crawler.nlp.entities import extract

extract("Đại tá Nguyễn Văn An, Giám đốc Công an tỉnh Lai Châu, làm việc tại Hà Nội.")
