"""The retry queue's policy: when a failed unit is tried again, when it is given up, and what it keeps."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from hypothesis import given
from hypothesis import strategies as st

from dlp.config import ConfigError, RetryConfig, load_config
from dlp.records import FileRef, Item, ItemKind
from dlp.retry import QueueState, RetryPolicy, UnitKind, item_from_payload, item_payload, upload_past_retention

T0 = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)


def fail(policy, previous, now, **kw):
    return policy.failed(previous, UnitKind.FILE, "file-1", stream="library_files", error="HTTP 503", payload="{}",
                         now=now, scan_id="s", **kw)  # fmt: skip


def test_the_next_scan_tries_at_once_then_the_wait_doubles_up_to_the_cap():
    policy = RetryPolicy(RetryConfig(max_attempts=10, backoff_seconds=300, backoff_cap_seconds=1000))
    waits, row, now = [], None, T0
    for _ in range(5):
        row = fail(policy, row, now)
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert waits == [timedelta(0), timedelta(seconds=300), timedelta(seconds=600), timedelta(seconds=1000),
                     timedelta(seconds=1000)]  # fmt: skip
    assert row.attempts == 5 and row.first_failed_at == T0 and row.pending


def test_the_last_allowed_attempt_gives_the_unit_up_and_a_403_never_does():
    policy = RetryPolicy(RetryConfig(max_attempts=3))
    row = None
    for _ in range(3):
        row = fail(policy, row, T0)
    assert row.state == QueueState.GIVEN_UP.value and row.next_attempt_at is None and row.attempts == 3
    waiting = None
    for _ in range(10):
        waiting = fail(policy, waiting, T0, spends=False)
    assert waiting.pending and waiting.attempts == 0 and waiting.due(T0)


def test_a_unit_that_succeeds_is_done_with_its_outcome():
    policy = RetryPolicy()
    row = fail(policy, None, T0)
    done = policy.finished(row, "scanned", T0 + timedelta(hours=1), "s2")
    assert (done.state, done.outcome, done.attempts, done.next_attempt_at) == ("done", "scanned", 2, None)
    assert not done.due(T0 + timedelta(days=1))


texts = st.text(max_size=20)


@given(
    kind=st.sampled_from(list(ItemKind)), text=st.none() | texts, parts=st.lists(st.tuples(texts, texts), max_size=3),
    created=st.none() | st.datetimes(timezones=st.just(timezone.utc)),
    ref=st.none() | st.builds(FileRef, file_id=texts, name=st.none() | texts,
                              owner_kind=st.sampled_from(["user", "gpt"]), user_id=st.none() | texts,
                              conversation_id=st.none() | texts),
    user=st.none() | texts,
)  # fmt: skip
def test_an_item_comes_back_from_the_queue_exactly_as_it_went_in(kind, text, parts, created, ref, user):
    item = Item(item_id="file:x", kind=kind, workspace_id="ws", source="logs:CONVERSATION_MESSAGE", user_id=user,
                user_email=user, text=text, parts=tuple(parts), created_at=created, file_ref=ref,
                file_id="x")  # fmt: skip
    assert item_from_payload(item_payload(item)) == item


def test_only_a_user_upload_older_than_48_hours_is_past_retention():
    upload = Item(item_id="file:u", kind=ItemKind.ATTACHMENT, workspace_id="ws", source="library_files",
                  created_at=T0 - timedelta(hours=49), file_ref=FileRef("u", owner_kind="user"))  # fmt: skip
    knowledge = Item(item_id="file:k", kind=ItemKind.KNOWLEDGE_FILE, workspace_id="ws", source="gpts",
                     created_at=T0 - timedelta(days=90), file_ref=FileRef("k", owner_kind="gpt"))  # fmt: skip
    assert upload_past_retention(upload, T0) and not upload_past_retention(knowledge, T0)
    assert not upload_past_retention(upload, T0 - timedelta(hours=2))


def test_the_retry_section_is_read_and_checked(tmp_path):
    path = tmp_path / "dlp.yaml"
    path.write_text("retry:\n  max_attempts: 4\n  backoff_seconds: 60\n")
    assert load_config(path).retry == RetryConfig(max_attempts=4, backoff_seconds=60)
    for bad, message in (("max_attempts: 0", "retry.max_attempts"), ("backoff_cap_seconds: -1", "retry.backoff_cap"),
                         ("attempts: 3", "unknown key 'retry.attempts'")):  # fmt: skip
        path.write_text(f"retry:\n  {bad}\n")
        with pytest.raises(ConfigError, match=re.escape(message)):
            load_config(path)
