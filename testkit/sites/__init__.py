"""Fake provincial police sites served on loopback, in the markup of the real CMS families."""
