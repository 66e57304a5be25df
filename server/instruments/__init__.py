"""Instruments as data: JSON definitions, their schema, loading, the registry and answer checks.

Pure Python (no Flask, no database), so the scheduler, the sync code, tests and
benchmarks can all use it directly (DESIGN.md section 7).
"""
