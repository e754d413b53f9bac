"""Metrics, traces and structured logs of a running server (no other adapter is imported)."""
