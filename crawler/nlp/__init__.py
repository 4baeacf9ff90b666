"""Named-entity extraction: underthesea as the base, our rules on top."""
