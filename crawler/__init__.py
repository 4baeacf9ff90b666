"""Scrapy project that crawls, cleans and indexes Vietnamese provincial police news."""
