"""Sentence classification: `python -m apps.classify --help`."""
