"""Runtimes that feed stored events to the projections."""
