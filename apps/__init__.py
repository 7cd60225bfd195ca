"""kerasrnn applications, run from a checkout as `python -m apps.<app>`."""
