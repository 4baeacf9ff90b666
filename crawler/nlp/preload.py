"""Imported once by the entity workers' fork server (multiprocessing's forkserver preload):
the CRF models are loaded there, and every worker forked from it starts with them instead
of spending seconds loading its own copy."""

from crawler.nlp import crf

crf.models()
