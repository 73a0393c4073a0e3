import pytest

from skillpack.testing.eventually import EventuallyTimeout, eventually


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.waits = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.waits.append(seconds)
        self.now += seconds


def test_returns_first_truthy_value_without_waiting_more():
    clock = FakeClock()
    answers = iter([None, [], ["row"]])
    assert eventually(lambda: next(answers), clock=clock, sleep=clock.sleep) == ["row"]
    assert len(clock.waits) == 2


def test_assertion_errors_mean_not_yet_and_the_last_one_is_reported():
    clock = FakeClock()

    def check():
        raise AssertionError("row 7 missing")

    with pytest.raises(EventuallyTimeout, match="written row within 5s; last: row 7 missing"):
        eventually(check, timeout=5, message="written row", clock=clock, sleep=clock.sleep)
    assert sum(clock.waits) == pytest.approx(5)


def test_waits_back_off_up_to_the_cap():
    clock = FakeClock()
    with pytest.raises(EventuallyTimeout):
        eventually(
            lambda: False, timeout=20, interval=1, max_interval=3, clock=clock, sleep=clock.sleep
        )
    assert clock.waits[:4] == [1, 1.5, 2.25, 3]


def test_other_exceptions_propagate():
    def check():
        raise KeyError("boom")

    with pytest.raises(KeyError):
        eventually(check, timeout=1)
