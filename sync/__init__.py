"""The sync protocol (sync/PROTOCOL.md): wire schemas, rules, cursors, hashing, and a client.

``protocol``, ``rules``, ``cursor`` and ``hashing`` are pure (no Flask, no ORM): the server
and the Python client both import them.
"""
