"""Slot filling + intent detection: `python -m apps.slot_filling` (see `app.py`)."""
