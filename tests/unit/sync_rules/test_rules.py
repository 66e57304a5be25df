"""The decision table, the client's conflict rule and the effective-time rule, as tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync.rules import (
    MAX_REPUSHES,
    Op,
    Resolution,
    ServerState,
    Status,
    decide_change,
    effective_time,
    is_clock_skewed,
    resolve_conflict,
)

LIVE_2 = ServerState(rev=2, deleted=False)
TOMBSTONE_2 = ServerState(rev=2, deleted=True)

# (server state, op, base_rev) -> (status, new rev, deleted): PROTOCOL.md's table, row by row.
TABLE = [
    (None, Op.PUT, None, Status.APPLIED, 1, False),
    (None, Op.PUT, 4, Status.REJECTED, None, False),
    (None, Op.DELETE, None, Status.APPLIED, 1, True),
    (None, Op.DELETE, 4, Status.APPLIED, 1, True),
    (LIVE_2, Op.PUT, 2, Status.APPLIED, 3, False),
    (LIVE_2, Op.DELETE, 2, Status.APPLIED, 3, True),
    (LIVE_2, Op.PUT, 1, Status.CONFLICT, None, False),
    (LIVE_2, Op.PUT, 3, Status.CONFLICT, None, False),
    (LIVE_2, Op.PUT, None, Status.CONFLICT, None, False),
    (LIVE_2, Op.DELETE, 1, Status.APPLIED, 3, True),
    (LIVE_2, Op.DELETE, None, Status.APPLIED, 3, True),
    (TOMBSTONE_2, Op.PUT, 2, Status.CONFLICT, None, False),
    (TOMBSTONE_2, Op.PUT, None, Status.CONFLICT, None, False),
    (TOMBSTONE_2, Op.DELETE, 2, Status.CONFLICT, None, False),
]


@pytest.mark.parametrize(("state", "op", "base_rev", "status", "rev", "deleted"), TABLE)
def test_decision_table(state, op, base_rev, status, rev, deleted):
    decision = decide_change(state, op=op, base_rev=base_rev)
    assert (decision.status, decision.rev, decision.deleted) == (status, rev, deleted)
    assert bool(decision.errors) == (status is Status.REJECTED)


NOW = datetime(2026, 11, 21, 18, 0, tzinfo=UTC)


def test_effective_time_trusts_a_client_clock_up_to_5_minutes_ahead():
    assert effective_time(NOW - timedelta(days=3), NOW) == NOW - timedelta(days=3)
    assert effective_time(NOW + timedelta(minutes=5), NOW) == NOW + timedelta(minutes=5)
    assert effective_time(NOW + timedelta(days=1), NOW) == NOW + timedelta(minutes=5)
    assert not is_clock_skewed(NOW + timedelta(minutes=5), NOW)
    assert is_clock_skewed(NOW + timedelta(minutes=5, seconds=1), NOW)


def resolve(**overrides):
    arguments = {
        "local_op": Op.PUT,
        "local_changed_at": NOW,
        "local_device_id": "aaaa",
        "server_deleted": False,
        "server_changed_at": NOW,
        "server_received_at": NOW,
        "server_device_id": "bbbb",
        "server_time": NOW,
        **overrides,
    }
    return resolve_conflict(**arguments)


def test_a_server_delete_beats_a_local_edit():
    assert resolve(server_deleted=True, local_changed_at=NOW + timedelta(hours=1)) is (
        Resolution.KEEP_TOMBSTONE
    )


def test_a_local_delete_is_pushed_again():
    assert (
        resolve(local_op=Op.DELETE, local_changed_at=NOW - timedelta(days=1)) is Resolution.REPUSH
    )


def test_between_two_edits_the_later_one_wins():
    assert resolve(local_changed_at=NOW + timedelta(seconds=1)) is Resolution.REPUSH
    assert resolve(local_changed_at=NOW - timedelta(seconds=1)) is Resolution.ADOPT_SERVER


def test_a_tie_goes_to_the_greater_device_id():
    assert resolve(local_device_id="bbbc") is Resolution.REPUSH
    assert resolve(local_device_id="BBBC") is Resolution.REPUSH  # compared in lower case
    assert resolve(local_device_id="aaaa") is Resolution.ADOPT_SERVER


def test_a_fast_clock_cannot_win_by_being_in_the_future():
    # The local phone says "tomorrow", but its time is capped at server_time + 5 min,
    # which is earlier than an honest edit the server received 10 minutes from now.
    later_server = NOW + timedelta(minutes=10)
    assert (
        resolve(
            local_changed_at=NOW + timedelta(days=1),
            server_changed_at=later_server,
            server_received_at=later_server,
        )
        is Resolution.ADOPT_SERVER
    )


def test_after_5_repushes_the_person_decides():
    assert resolve(local_changed_at=NOW + timedelta(hours=1), repushes=MAX_REPUSHES - 1) is (
        Resolution.REPUSH
    )
    assert resolve(local_changed_at=NOW + timedelta(hours=1), repushes=MAX_REPUSHES) is (
        Resolution.ASK_PERSON
    )
