"""Named-entity recognition: see app.py."""
