"""Sentence translation: `python -m apps.translate` (see apps/translate/app.py)."""
