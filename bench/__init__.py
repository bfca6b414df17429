"""The benchmark harness: detection speed and accuracy against Presidio, extraction against the bare
libraries, end-to-end scans of the emulated workspace, rate-limit budget use, and scaling.

Run it with `python -m bench` (or `dlp bench`); BENCHMARKS.md records the latest numbers.
Not part of the test suite: tests/bench runs it once at a tiny scale to keep it working.
"""
