"""Item pipelines, one step each, ordered in crawler.settings.ITEM_PIPELINES."""
