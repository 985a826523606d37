"""Benchmarks: the SDK side by side with the floor and with the official stripe package."""
