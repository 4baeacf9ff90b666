"""The search web application: a page in Vietnamese and a JSON API over one index."""
