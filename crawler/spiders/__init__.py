"""Spiders: they only crawl; page objects turn responses into articles."""
