"""Page objects: turn one fetched document into the fields of an Article."""
