"""Benchmarks: speed and memory targets, reported with the machine they ran on."""
