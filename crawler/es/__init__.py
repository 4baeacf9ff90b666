"""Elasticsearch: client, index life cycle, search, and the local development node."""
