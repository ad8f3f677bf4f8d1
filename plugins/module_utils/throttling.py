# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client's send rate while the API throttles: a token bucket whose fill rate adapts.

Alibaba Cloud limits the API calls of an account per second and answers ``Throttling*`` above
that. The limit is shared by every job that uses the account, so no client can know its share;
it has to find it. As in botocore's ``adaptive`` retry mode, each request waits for a token of a
bucket filled at the client's allowed rate, so it waits instead of being sent and refused:

* a throttling answer cuts the rate to ``BETA`` x the rate the API was accepting (measured),
  at most once per round of requests (one sent before the last cut does not cut again);
* while answers are accepted, the rate grows back along a cubic curve (CUBIC, as TCP): back at
  the rate of the last cut ``RETURN`` seconds after it, then probing beyond, slowly at first. The
  curve scales with that rate, so a client with a share of 10 requests/s probes as gently, for its
  size, as one with 100 (botocore's fixed scale probes a share of 1 request/s by a third within a
  second), but never with a smaller scale than a client at SCALE_FLOOR: one that knows nothing
  yet (its first request was throttled: MIN_RATE) reaches 10 requests/s within about 8 seconds;
* it never exceeds ``GROWTH_CAP`` x the measured accepted rate (an idle client does not bank a
  high rate), nor ``max_requests_per_second``;
* ``x-acs-retry-after``: nothing is sent before the time the API asked for.

transport.py imports this only at the first throttling answer (or for max_requests_per_second):
a client that is never throttled runs none of it.
"""

from __future__ import annotations

import math
import threading

from .errors import ApiError, TransportError

MIN_RATE = 0.5       # requests per second: never slower
BETA = 0.7           # a throttling answer cuts the rate to 70 % of the accepted rate
RETURN = 2.5         # seconds after a cut at which the rate is back at the rate of the cut
SCALE = (1 - BETA) / RETURN ** 3  # CUBIC's C per request/s of the cut: rate(t) = w_max * (1 + SCALE * (t - RETURN) ** 3)
SCALE_FLOOR = 2.5    # requests per second: the curve is never flatter than a client's at this rate
GROWTH_CAP = 2.0     # the rate stays within twice the measured accepted rate
SAMPLE = 0.5         # seconds per sample of the accepted rate
SMOOTHING = 0.8      # weight of the newest sample
RECENT = 1.0         # seconds of answers accepted before the first throttle that give the first estimate


class RateLimiter:
    """One per client process, shared by its threads and every API it calls.

    ``clock`` and ``sleep`` are the transport's (tests inject both). ``recent`` holds the times of the
    last answers accepted before the first throttle, for the first estimate of the accepted rate.
    With ``cap`` (max_requests_per_second) the bucket works from the start at that rate.
    """

    def __init__(self, clock, sleep, cap=None, recent=()):
        self._clock = clock
        self._sleep = sleep
        now = clock()
        self.cap = cap
        self.rate = cap or MIN_RATE  # requests per second allowed now
        self.measured = _recent_rate(recent, now)  # requests per second accepted (smoothed)
        self.cuts = 0
        self._tokens = 1.0 if cap else 0.0
        self._filled = now
        self._not_before = now       # x-acs-retry-after
        self._last_cut = None        # no cut yet: a fixed rate (the cap)
        self._w_max = self.rate
        self._scale = SCALE * SCALE_FLOOR
        self._return = RETURN
        self._count = 0
        self._sample = now
        self._lock = threading.Lock()
        self._turn = threading.Lock()  # one waiter at a time, so each wait is computed at the current rate

    def acquire(self, deadline=None):
        """Wait for a token; False, without taking one, if none can come before ``deadline``."""
        if deadline is None:
            self._turn.acquire()  # pylint: disable=consider-using-with
        elif not self._turn.acquire(timeout=max(0.0, deadline - self._clock())):  # pylint: disable=consider-using-with
            return False
        try:
            with self._lock:
                now = self._clock()
                self._fill(now)
                wait = max(0.0, (1.0 - self._tokens) / self.rate, self._not_before - now)
                if deadline is not None and now + wait > deadline:
                    return False
                self._tokens -= 1.0  # may go below 0 while waiting: the refill pays it back
            if wait > 0:
                self._sleep(wait)
            return True
        finally:
            self._turn.release()

    def accepted(self):
        """An answer was accepted: measure, and grow the rate along the curve."""
        with self._lock:
            now = self._clock()
            self._measure(now)
            if self._last_cut is None:
                return
            grown = self._w_max + self._scale * (now - self._last_cut - self._return) ** 3
            self._set(now, min(grown, GROWTH_CAP * max(self.measured, MIN_RATE)))

    def throttled_answer(self, sent_at, retry_after=None):
        """A throttling answer to a request sent at ``sent_at``: cut the rate (once per round), honour retry-after."""
        with self._lock:
            now = self._clock()
            if retry_after:
                # The API said when: the next token comes exactly then.
                self._not_before = max(self._not_before, now + retry_after)
                self._tokens, self._filled = 1.0, self._not_before
            if self._last_cut is not None and sent_at is not None and sent_at < self._last_cut:
                return  # sent at the rate before the last cut: that cut answers it already
            accepted = max(self.measured, MIN_RATE)
            self._w_max = accepted if self._last_cut is None else min(accepted, max(self.rate, MIN_RATE))
            self._last_cut = now
            self.cuts += 1
            self._scale = SCALE * max(self._w_max, SCALE_FLOOR)
            self._return = (self._w_max * (1 - BETA) / self._scale) ** (1 / 3.0)   # RETURN, sooner below SCALE_FLOOR
            self._set(now, BETA * self._w_max)

    def _set(self, now, rate):
        self._fill(now)
        rate = max(MIN_RATE, rate)
        self.rate = min(rate, self.cap) if self.cap else rate

    def _fill(self, now):
        if now > self._filled:
            self._tokens = min(1.0, self._tokens + (now - self._filled) * self.rate)
            self._filled = now

    def _measure(self, now):
        """An exponentially smoothed rate of accepted answers, one sample per SAMPLE seconds (as botocore's RateClocker)."""
        self._count += 1
        if now - self._sample >= SAMPLE:
            sample = self._count / (now - self._sample)
            self.measured = SMOOTHING * sample + (1 - SMOOTHING) * self.measured
            self._count = 0
            self._sample = now


def _recent_rate(times, now):
    """Answers per second accepted in the last RECENT seconds."""
    return sum(1 for t in times if now - t <= RECENT) / RECENT


def out_of_time(transport, action, throttled=None):
    """The error when the deadline comes first: how much the API throttled, the rate reached, and what helps.

    ``throttled`` is the call's last throttling answer (an ApiError, kept with its code and RequestId), if any.
    """
    rate = transport.rate
    if not transport.throttled:
        return _transient(TransportError('%s: max_requests_per_second %s allows no request before the deadline'
                                         % (action, _number(rate.cap))))
    what = ('the API throttled %d of the %d requests this client sent; it adapted to %s requests/s, and the API accepted '
            '%s/s at the end. %s' % (transport.throttled, transport.calls, _number(rate.rate), _number(rate.measured), ADVICE))
    if throttled is None:
        return _transient(TransportError('%s: no request could be sent before the deadline: %s' % (action, what)))
    return _transient(ApiError(throttled.action, throttled.code, throttled.api_message, throttled.request_id, throttled.status,
                               throttled.recommend, 'The API kept throttling until the deadline: %s. Gave up at the deadline' % what))


ADVICE = ("The account's API rate limit is shared by every job that uses it: run fewer jobs against this account at once, "
          "allow more time (ota_task_wait's wait_timeout; a listing has 600 s), or ask Alibaba Cloud to raise the account's quota")


def _transient(error):
    error.transient = True   # a later poll, if any is left, may get through
    return error


def _number(value):
    return ('%.1f' % value) if value < 100 else '%d' % math.floor(value)
