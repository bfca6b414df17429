import hyperscan

from detectors.hscache import compile_cached

EXPRESSIONS = [(b"abc", hyperscan.HS_FLAG_SOM_LEFTMOST, "probe-0"), (b"d+e", 0, "probe-1")]


def compile_counting(calls):
    def compile_fn(expressions):
        calls.append(len(expressions))
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        db.compile(
            expressions=[e for e, _, _ in expressions], ids=list(range(len(expressions))),
            elements=len(expressions), flags=[f for _, f, _ in expressions],
        )  # fmt: skip
        return db, {}

    return compile_fn


def matches(db, data: bytes):
    found = []
    db.scan(data, match_event_handler=lambda i, f, t, fl, ctx: found.append((i, t)))
    return found


def test_a_compiled_database_is_reused_and_scans_the_same(tmp_path):
    calls = []
    first, _ = compile_cached(EXPRESSIONS, compile_counting(calls), tmp_path)
    second, _ = compile_cached(EXPRESSIONS, compile_counting(calls), tmp_path)
    assert calls == [2]
    assert matches(first, b"xabc ddde") == matches(second, b"xabc ddde") != []


def test_other_expressions_or_flags_compile_anew(tmp_path):
    calls = []
    compile_cached(EXPRESSIONS, compile_counting(calls), tmp_path)
    compile_cached([(b"abc", 0, "probe-0"), EXPRESSIONS[1]], compile_counting(calls), tmp_path)
    assert calls == [2, 2]


def test_rejections_are_cached_too(tmp_path):
    calls = []

    def reject(expressions):
        calls.append(1)
        return None, {1: "bad"}

    assert compile_cached(EXPRESSIONS, reject, tmp_path) == (None, {1: "bad"})
    assert compile_cached(EXPRESSIONS, reject, tmp_path) == (None, {1: "bad"})
    assert calls == [1]


def test_an_unwritable_cache_only_costs_time(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    calls = []
    db, _ = compile_cached(EXPRESSIONS, compile_counting(calls), blocked / "cache")
    assert db is not None and matches(db, b"abc")
