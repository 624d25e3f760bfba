from __future__ import annotations

import pytest

from xlimport.progress import STAGES, ProgressReporter


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_stage_fractions_map_into_bands_and_never_go_backwards():
    events = []
    clock = FakeClock()
    rep = ProgressReporter(lambda *e: events.append(e), clock=clock)
    rep.stage("parsing")
    rep.update(0.5)
    rep.update(0.2)  # backwards within the stage: ignored
    clock.t += 5
    rep.update(0.1)  # time passed, still not lower than before
    rep.stage("dependencies")
    rep.update(1.0)
    rep.complete()
    percents = [p for _, p, _ in events]
    assert percents == sorted(percents)
    assert events[0] == ("parsing", STAGES["parsing"][0], "parsing")
    assert ("parsing", 17.5, "") in events
    assert events[-1][0:2] == ("complete", 100.0)
    assert all(p <= 100 for p in percents)


def test_rate_limited_but_never_silent():
    events = []
    clock = FakeClock()
    rep = ProgressReporter(lambda *e: events.append(e), clock=clock)
    rep.stage("evaluation")
    for i in range(1, 1001):
        rep.update(i / 100000)  # tiny steps: 0.0004 % each
    assert len(events) == 1  # neither 1 % nor 1 s passed
    clock.t = 1.5
    rep.update(0.0101)
    assert len(events) == 2  # a second passed: reported even though it moved < 1 %
    rep.update(0.5)  # a big step is reported at once
    assert len(events) == 3


def test_sub_range_and_unknown_stage():
    events = []
    rep = ProgressReporter(lambda *e: events.append(e))
    rep.stage("insertion")
    sub = rep.sub(0.5, 1.0)
    sub(0.0, "half")
    sub(1.0, "all")
    assert events[-1][1] == STAGES["insertion"][1]
    with pytest.raises(ValueError):
        rep.stage("nonsense")


def test_callback_exception_propagates():
    def boom(stage, percent, message):
        raise RuntimeError("stop")

    rep = ProgressReporter(boom)
    with pytest.raises(RuntimeError):
        rep.stage("hashing")
