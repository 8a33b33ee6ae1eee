"""Benchmarks, run by hand (never imported by the application)."""
