"""The HomeStretch load benchmark (see load.py)."""
