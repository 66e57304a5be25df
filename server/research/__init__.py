"""Research export: cohort aggregates, within-person associations, disclosure control, codebook.

Pure numpy and plain Python (DESIGN.md section 8): no Flask, no database, no
clock. The nightly job passes in consenting people's scores and the time of
computation; what leaves this package is already safe to publish.
"""
