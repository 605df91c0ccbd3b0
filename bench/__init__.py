"""Benchmarks of tokenmint (``make bench``): measurements, not tests. See docs/performance.md."""
