"""Character-level text generation: `python -m apps.textgen` (see apps/textgen/app.py)."""
