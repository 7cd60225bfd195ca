"""Part-of-speech tagging: see app.py."""
