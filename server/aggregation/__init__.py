"""Person summaries: what a peer worker and a service user see about one person's measures.

Pure numpy over many people at once (DESIGN.md section 8): no Flask, no database,
no clock. The scheduler's jobs choose the view (shared check-ins only, or all of
them), pass in sorted arrays and the time of computation, and seal the results.
"""
