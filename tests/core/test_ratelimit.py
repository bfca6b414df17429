import asyncio

from dlp.ingest.ratelimit import EndpointClass, RateLimiter, endpoint_template


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    async def sleep(self, seconds):
        self.now += seconds


def test_requests_are_spaced_to_the_rate_after_the_burst():
    t = FakeTime()
    limiter = RateLimiter({EndpointClass.LIST: 60}, burst=5, clock=t.clock, sleep=t.sleep)

    async def go():
        stamps = []
        for _ in range(65):
            await limiter.acquire(EndpointClass.LIST)
            stamps.append(t.now)
        return stamps

    stamps = asyncio.run(go())
    assert stamps[:5] == [0.0] * 5
    # 60 more at 1/s: the 65th goes out at t=60, so any 60-second window holds at most 60 + burst.
    assert abs(stamps[-1] - 60.0) < 1e-6
    window = [s for s in stamps if s < 60.0]
    assert len(window) <= 65


def test_classes_are_independent_and_unlimited_when_zero():
    t = FakeTime()
    limiter = RateLimiter({EndpointClass.LIST: 1, EndpointClass.ITEM: 0}, burst=1, clock=t.clock, sleep=t.sleep)

    async def go():
        await limiter.acquire(EndpointClass.LIST)
        for _ in range(100):
            await limiter.acquire(EndpointClass.ITEM)
        return t.now

    assert asyncio.run(go()) == 0.0


def test_each_endpoint_template_has_its_own_budget():
    t = FakeTime()
    limiter = RateLimiter({EndpointClass.ITEM: 60}, burst=1, clock=t.clock, sleep=t.sleep)

    async def go():
        await limiter.acquire(EndpointClass.ITEM, "/a/{id}")
        await limiter.acquire(EndpointClass.ITEM, "/b/{id}")  # another endpoint: no wait
        first = t.now
        await limiter.acquire(EndpointClass.ITEM, "/a/{id}")  # same endpoint: waits a second
        return first, t.now

    assert asyncio.run(go()) == (0.0, 1.0)


def test_endpoint_templates():
    ws = "/compliance/workspaces/6c1d8a4e-2f0b-4a7e-9c35-0e5b7d9f1a22"
    assert endpoint_template(f"{ws}/users/user-abc/files/file-XYZ") == "/compliance/workspaces/{id}/users/{id}/files/{id}"
    assert endpoint_template(f"{ws}/gpt_files/file-1") == "/compliance/workspaces/{id}/gpt_files/{id}"
    assert endpoint_template(f"{ws}/logs/eclf_a1") == "/compliance/workspaces/{id}/logs/{id}"
    assert endpoint_template(f"{ws}/logs") == "/compliance/workspaces/{id}/logs"
