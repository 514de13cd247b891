"""Benchmarks (`make bench`): figures printed with their ratio to a baseline of the same run."""
