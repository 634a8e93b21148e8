"""SQLite storage through sqlite-utils: one module per aggregate.

Nothing here imports from `bot` or `handlers`; callers pass plain values and get plain
dataclasses back. Times are Unix timestamps (float seconds, UTC) from the caller's
clock, so tests control time.
"""
