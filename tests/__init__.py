"""Bazaar tests: unit (in-memory), integration (real services), end-to-end (HTTP)."""
