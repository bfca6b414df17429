"""A stand-in export format for a test that makes writing fail midway (its `write` is replaced there)."""


def write(findings, out):  # pragma: no cover - replaced by the test
    raise NotImplementedError
