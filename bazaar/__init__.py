"""Composition root: settings, wiring, command line and the embedded dev stack."""
