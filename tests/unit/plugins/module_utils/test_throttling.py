# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RateLimiter, the client's adaptive send rate, on an injected clock: it falls when the API throttles,
recovers while answers are accepted, and stays within its bounds (issue 19)."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.throttling import (
    BETA, GROWTH_CAP, MIN_RATE, RETURN, RateLimiter)

from ...helpers import FakeClock


def limiter_after(clock, accepted_per_second, cap=None):
    """The limiter a client makes at its first throttle, after a second of answers accepted at that rate."""
    recent = [clock() - i / accepted_per_second for i in range(int(accepted_per_second))]
    return RateLimiter(clock, clock.sleep, cap=cap, recent=recent[::-1])


def send(limiter, clock, seconds):
    """Send as fast as the limiter lets, every answer accepted, for ``seconds``: (time, rate, measured rate) after each."""
    rates = []
    end = clock() + seconds
    while clock() < end:
        assert limiter.acquire()
        limiter.accepted()
        rates.append((clock(), limiter.rate, limiter.measured))
    return rates


def test_the_first_throttle_cuts_to_70_percent_of_the_rate_the_api_was_accepting():
    clock = FakeClock()
    limiter = limiter_after(clock, 10)
    limiter.throttled_answer(clock())
    assert limiter.rate == pytest.approx(BETA * 10) == pytest.approx(7.0)
    assert limiter.cuts == 1


def test_one_round_of_throttling_answers_cuts_once():
    """Answers to requests sent before the last cut were sent at the old rate: that cut answers them already."""
    clock = FakeClock()
    limiter = limiter_after(clock, 10)
    sent_before = clock()
    clock.sleep(0.01)
    limiter.throttled_answer(sent_before)
    for _answer in range(5):
        limiter.throttled_answer(sent_before)
    assert (limiter.rate, limiter.cuts) == (pytest.approx(7.0), 1)
    clock.sleep(0.5)
    limiter.throttled_answer(clock())          # sent after the cut, and throttled: the limit is lower still
    assert (limiter.rate, limiter.cuts) == (pytest.approx(BETA * 7.0), 2)


def test_tokens_pace_the_requests_at_the_rate():
    clock = FakeClock()
    limiter = limiter_after(clock, 10)
    limiter.throttled_answer(clock())
    for _request in range(4):
        assert limiter.acquire()
    assert clock.sleeps == pytest.approx([1 / 7.0] * 4)


def test_the_rate_recovers_while_answers_are_accepted_back_to_the_cut_then_beyond():
    clock = FakeClock()
    limiter = limiter_after(clock, 10)
    cut = clock()
    limiter.throttled_answer(cut)
    rates = send(limiter, clock, 8.0)

    def at(seconds):
        return [rate for when, rate, _measured in rates if when <= cut + seconds][-1]
    assert at(0.5) < at(1.5) < at(RETURN - 0.3) < 10.0      # climbing back, concave
    assert at(RETURN + 0.3) == pytest.approx(10.0, rel=0.02)  # at the rate of the cut RETURN seconds after it
    assert at(RETURN + 0.3) - at(RETURN - 0.3) < 0.1          # and lingering there
    assert at(8.0) > 10.5                                      # then probing beyond it
    assert all(later[1] >= earlier[1] for earlier, later in zip(rates, rates[1:]))


def test_the_rate_never_falls_below_the_minimum():
    clock = FakeClock()
    limiter = limiter_after(clock, 3)
    for _round in range(20):
        clock.sleep(0.1)
        limiter.throttled_answer(clock())
    assert limiter.rate == MIN_RATE and limiter.cuts == 20
    assert limiter.acquire() and limiter.acquire()
    assert clock.sleeps[-1] == pytest.approx(1 / MIN_RATE)


def test_the_rate_stays_within_twice_what_the_api_accepts():
    """A client that idles does not bank a high rate: the cubic curve alone would climb without bound."""
    clock = FakeClock()
    limiter = limiter_after(clock, 10)
    limiter.throttled_answer(clock())
    for _when, rate, measured in send(limiter, clock, 20.0):
        assert rate <= GROWTH_CAP * max(measured, MIN_RATE) + 1e-9
    before = limiter.rate
    clock.sleep(600)                     # idle for ten minutes
    limiter.accepted()
    assert limiter.rate <= GROWTH_CAP * limiter.measured + 1e-9 and limiter.rate < before / 2


def test_max_requests_per_second_caps_the_rate_from_the_start_and_after_recovery():
    clock = FakeClock()
    limiter = RateLimiter(clock, clock.sleep, cap=4.0)
    for _request in range(5):
        assert limiter.acquire()
    assert clock.sleeps == pytest.approx([0.25] * 4)   # one token at the start, then 4 per second
    limiter.throttled_answer(clock())
    assert limiter.rate < 4.0
    send(limiter, clock, 30.0)
    assert limiter.rate == 4.0


def test_nothing_is_sent_before_x_acs_retry_after():
    clock = FakeClock()
    limiter = limiter_after(clock, 10)
    limiter.throttled_answer(clock(), retry_after=3.0)
    assert limiter.acquire() and clock.sleeps == [3.0]           # exactly when the API said
    assert limiter.acquire() and clock.sleeps[1] == pytest.approx(1 / 7.0)   # then at the adapted rate


def test_a_token_that_cannot_come_before_the_deadline_is_not_taken():
    clock = FakeClock()
    limiter = limiter_after(clock, 0)   # nothing accepted before: the minimum, 0.5/s, a token every 2 s
    limiter.throttled_answer(clock())
    assert limiter.acquire(deadline=clock() + 1.9) is False
    assert clock.sleeps == []
    assert limiter.acquire(deadline=clock() + 2.0) is True
    assert clock.sleeps == [pytest.approx(2.0)]
