"""Benchmarks: `make bench` (python -m bench). Each module adds a section; see bench/__main__.py."""
