"""Benchmarks: the asv suite (``benchmarks/``) and the ratio script (``compare.py``)."""
