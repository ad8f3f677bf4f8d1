# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Signed HTTP calls with retries: one requests Session, timeouts, backoff, error mapping.

Each call is retried on its own (a failed page never restarts a listing) on server errors,
dropped connections, read timeouts and truncated bodies, with exponential backoff and full
jitter, at most ``retries`` times. Auth and validation errors are never retried; a host name the
resolver says does not exist (a mistyped region or endpoint) is retried once; a temporary DNS
failure like any other. A shared :class:`AdaptiveLimiter` bounds the requests in flight.

Throttling is not failure: a throttled request is sent again when the client's adaptive send rate
(throttling.RateLimiter, from the first throttling answer on) gives it a token, however often,
until the caller's deadline (a listing's, a wait's; RETRY_TIME_BUDGET for a call without one).

Any answer whose ``Code`` is present and not ``success`` is an API error, even with HTTP 200.
A write (``write=True``, ApproveOtaTask) is resent only when the API cannot have applied it:
throttling or a 5xx answer that carries an error code. A write whose answer was lost (timeout,
dropped connection, garbled body, a 5xx without an error code) raises :class:`OutcomeUnknown`
at once: the caller re-reads the state before deciding to send it again.
"""

from __future__ import annotations

import datetime
import json
import os
from collections import deque
import random
import threading
import time
from urllib.parse import urlencode

try:
    import requests
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
except ImportError:  # reported by the plugins with missing_required_lib
    HAS_REQUESTS = False

from . import signer
from .errors import ApiError, OutcomeUnknown, ResponseError, TransportError, hint

API_VERSION = '2021-09-01'
USER_AGENT = 'alibabacloud.appstreaming/0.1.0 (Ansible collection)'
RETRYABLE_CODES = frozenset(('Throttling', 'Throttling.User', 'Throttling.Api', 'ServiceUnavailable', 'InternalError'))
THROTTLING_CODES = frozenset(('Throttling', 'Throttling.User', 'Throttling.Api'))
RETRY_BACKOFF_BASE = 0.5   # seconds before the first retry of a request, at most (full jitter)
RETRY_BACKOFF_CAP = 20.0   # longest pause before one retry of a request (events.POLL_BACKOFF_CAP is between polls)
RETRY_AFTER_CAP = 60.0   # longest wait a server's x-acs-retry-after may ask for
RETRY_TIME_BUDGET = 300.0  # seconds one call may spend retrying, whatever ``retries`` says
CONNECT_TIMEOUT_CAP = 10.0
MIN_ATTEMPT_SECONDS = 0.5  # the last attempt before a deadline still gets this long
START_WINDOW = 8  # requests in flight at first; each accepted answer adds one (up to max_concurrency) until the first throttle
ACCEPTED_SAMPLE = 64  # times of the last accepted answers kept: the client's rate when the first throttle comes
NO_SUCH_HOST_RETRIES = 1  # a host name the resolver says does not exist is retried once, not ``retries`` times


class _Retry(Exception):
    """A failure worth another attempt; ``final`` is what to raise if none is left."""

    def __init__(self, final, throttled=False, retry_after=None, answered=False, attempts=None):
        super().__init__(str(final))
        self.final = final
        self.throttled = throttled
        self.retry_after = retry_after
        self.attempts = attempts  # at most this many retries, whatever ``retries`` says (None: no such bound)
        self.answered = answered  # the API answered with an error code: it did not apply the request


class AdaptiveLimiter:
    """Bounds requests in flight: a small window that grows, halved on throttling, grown back on success.

    ``with limiter as epoch:`` waits for a free slot. The window starts at START_WINDOW and, until
    the first throttle, each accepted answer adds a slot (it doubles every round trip, up to
    ``maximum``): jobs that start together know nothing of each other. One burst of throttling
    answers cuts the bound once, not once per answer: only a request admitted since the last cut
    (same ``epoch``) may cut it again, as TCP halves its window once per round trip.
    ``lowest`` and ``cuts`` tell how far and how often it went down.
    """

    def __init__(self, maximum):
        self.maximum = max(1, int(maximum))
        self.limit = min(self.maximum, START_WINDOW)
        self.lowest = self.limit
        self.cuts = 0
        self._epoch = 0
        self._in_flight = 0
        self._successes = 0
        self._slow_start = True
        self._cond = threading.Condition()

    def acquire(self, deadline=None, clock=time.monotonic):
        """Wait for a free slot and return the epoch; False if ``deadline`` passes first."""
        with self._cond:
            while self._in_flight >= self.limit:
                if deadline is None:
                    self._cond.wait()
                    continue
                left = deadline - clock()
                if left <= 0:
                    return False
                self._cond.wait(left)
            self._in_flight += 1
            return self._epoch

    def release(self):
        with self._cond:
            self._in_flight -= 1
            self._cond.notify_all()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc_info):
        self.release()

    def throttled(self, epoch=None):
        with self._cond:
            self._slow_start = False
            if epoch is not None and epoch != self._epoch:
                return  # this burst has already cut the bound
            self._epoch += 1
            if self.limit > 1:
                self.cuts += 1
                self.limit //= 2
                self.lowest = min(self.lowest, self.limit)
            self._successes = 0

    def succeeded(self):
        with self._cond:
            if self.limit < self.maximum:
                if self._slow_start:
                    self.limit += 1
                    self._cond.notify_all()
                    return
                self._successes += 1
                if self._successes >= self.limit:  # additive increase: +1 per window of successes
                    self.limit += 1
                    self._successes = 0
                    self._cond.notify_all()


class Transport:
    """Sends signed RPC calls to one endpoint with the connection settings given."""

    def __init__(self, settings, credentials, sleep=time.sleep, clock=time.monotonic, utcnow=None, rng=random.random):
        self.settings = settings
        self.credentials = credentials
        self.limiter = AdaptiveLimiter(settings.max_concurrency)
        self._sleep = sleep
        self._clock = clock
        self._utcnow = utcnow or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self._rng = rng
        self._session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self.limiter.maximum, max_retries=0)
        self._session.mount('https://', adapter)
        self._session.mount('http://', adapter)
        # The environment (HTTPS_PROXY and NO_PROXY, REQUESTS_CA_BUNDLE) is read once for the one endpoint, by
        # requests' own rules; then trust_env is off, so no request reads it again, and no ~/.netrc entry can
        # replace the signed Authorization header with a basic-auth one.
        environment = self._session.merge_environment_settings(settings.endpoint.url, {}, None, settings.verify, None)
        self._session.trust_env = False
        self._proxies, self._verify = environment['proxies'], environment['verify']
        self.calls = 0  # HTTP requests sent, for callers that report them
        self.throttled = 0  # throttling answers among them
        self.rate = None  # throttling.RateLimiter: from the first throttling answer on (or max_requests_per_second)
        self._accepted = deque(maxlen=ACCEPTED_SAMPLE)  # when the last answers were accepted, until then
        self._rate_made = threading.Lock()  # two threads throttled at once make one RateLimiter
        if settings.max_requests_per_second:
            self._rate_limiter()

    def close(self):
        self._session.close()

    def call(self, action, params, deadline=None, query=None, write=False):
        """POST one action; returns the decoded JSON body (a dict).

        ``params`` go in the form body (a list value is sent as ``Key.1=..&Key.2=..``), ``query``
        in the signed URL query. With a monotonic ``deadline``, no attempt's read timeout and no
        backoff reaches past it. With ``write``, a failure the API may have applied anyway is
        raised at once as :class:`OutcomeUnknown`, never resent.
        """
        attempt = 0
        waited = 0.0
        throttled = None  # the last throttling answer to this call
        while True:
            epoch = sent = None
            try:
                epoch = self.limiter.acquire(deadline, self._clock)
                if epoch is False:
                    raise self._no_time(action, throttled)
                try:
                    if self.rate is not None and not self.rate.acquire(deadline):
                        raise self._no_time(action, throttled)
                    sent = self._clock()
                    result = self._once(action, params, deadline, query)
                finally:
                    self.limiter.release()
                self.limiter.succeeded()
                if self.rate is None:
                    self._accepted.append(sent)
                else:
                    self.rate.accepted()
                return result
            except _Retry as retry:
                if retry.throttled:
                    # Not a failure, and not a retry: sent again when a token comes, until the deadline.
                    throttled = retry.final
                    self.throttled += 1
                    self.limiter.throttled(epoch)
                    self._rate_limiter().throttled_answer(sent, retry.retry_after and min(retry.retry_after, RETRY_AFTER_CAP))
                    if deadline is None:
                        deadline = self._clock() + RETRY_TIME_BUDGET
                    continue
                if write and not retry.answered:
                    raise OutcomeUnknown('%s: the outcome is unknown: %s' % (action, str(retry.final).rstrip('.'))) from None
                delay = self._backoff(attempt, retry.retry_after)
                out_of_time = deadline is not None and self._clock() + delay > deadline
                limit = self.settings.retries if retry.attempts is None else min(self.settings.retries, retry.attempts)
                if attempt >= limit or out_of_time or waited + delay > RETRY_TIME_BUDGET:
                    raise self._give_up(retry.final, attempt + 1, out_of_time)
                self._sleep(delay)
                waited += delay
                attempt += 1

    def _rate_limiter(self):
        """The adaptive send rate, made at the first throttling answer: throttling.py is not imported before."""
        with self._rate_made:
            if self.rate is None:
                from .throttling import RateLimiter
                # tuple() copies the deque in one step, while other threads still append accepted answers to it.
                accepted = tuple(self._accepted)
                self.rate = RateLimiter(self._clock, self._sleep, self.settings.max_requests_per_second, accepted)
        return self.rate

    def _no_time(self, action, throttled):
        """The deadline came before a request could be sent: a later poll, if any is left, may do better."""
        if self.rate is not None:
            from .throttling import out_of_time
            return out_of_time(self, action, throttled)
        return _deadline_error('%s: no free request slot (max_concurrency) before the deadline' % action)

    def _backoff(self, attempt, retry_after):
        if retry_after is not None:
            return min(retry_after, RETRY_AFTER_CAP)
        return self._rng() * min(RETRY_BACKOFF_CAP, RETRY_BACKOFF_BASE * (2 ** attempt))

    @staticmethod
    def _give_up(final, attempts, out_of_time):
        """The error to raise once retrying stops; ``transient`` tells a waiter it may poll again."""
        gave_up = 'Gave up after %d attempt%s%s' % (attempts, '' if attempts == 1 else 's', ' at the deadline' if out_of_time else '')
        if isinstance(final, ApiError):
            hint = '%s. %s' % (final.hint, gave_up) if final.hint else gave_up
            final = ApiError(final.action, final.code, final.api_message, final.request_id, final.status, final.recommend, hint)
        else:
            final.args = ('%s. %s' % (str(final).rstrip('.'), gave_up),)
        final.transient = True
        return final

    def _headers(self, action, body, credential, query=None):
        headers = {
            'host': self.settings.endpoint.host,
            'accept': 'application/json',
            'content-type': 'application/x-www-form-urlencoded',
            'user-agent': USER_AGENT,
            'x-acs-action': action,
            'x-acs-version': API_VERSION,
            'x-acs-date': self._utcnow().strftime('%Y-%m-%dT%H:%M:%SZ'),
            'x-acs-signature-nonce': os.urandom(16).hex(),  # 32 random hex digits like uuid4().hex, without importing uuid
            'x-acs-content-sha256': signer.hash_payload(body),
        }
        if credential.security_token:
            headers['x-acs-accesskey-id'] = credential.access_key_id
            headers['x-acs-security-token'] = credential.security_token
        headers['Authorization'] = signer.authorization(
            'POST', '/', query or {}, headers, body, credential.access_key_id, credential.access_key_secret)
        return headers

    def _once(self, action, params, deadline=None, query=None):
        # Fetching a temporary key (STS, the default chain) uses the library's own timeouts; the
        # deadline is checked around it so a slow credential source cannot start a request past it.
        started = self._clock()
        credential = self.credentials.get()
        if deadline is not None and self._clock() > max(deadline, started) + MIN_ATTEMPT_SECONDS:
            raise _deadline_error('%s: the deadline passed while getting credentials from %s'
                                  % (action, getattr(self.credentials, 'source', 'the credential source')))
        body = urlencode(form_pairs(params)).encode('utf-8')
        query = {k: str(v) for k, v in (query or {}).items() if v is not None}
        headers = self._headers(action, body, credential, query)
        url = self.settings.endpoint.url
        if query:
            url += '?' + signer.canonical_query(query)  # exactly the query that was signed
        timeout = self.settings.timeout
        if deadline is not None:
            timeout = max(MIN_ATTEMPT_SECONDS, min(timeout, deadline - self._clock()))
        self.calls += 1
        try:
            response = self._session.post(url, data=body, headers=headers, verify=self._verify, proxies=self._proxies,
                                          timeout=(min(timeout, CONNECT_TIMEOUT_CAP), timeout), allow_redirects=False)
            content = response.content
        except requests.exceptions.SSLError as exc:
            from .connection_errors import tls_error  # error paths live apart: every module start compiles this file
            raise TransportError(tls_error(action, url, _reason(exc), self.settings.verify)) from None
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            from .connection_errors import unknown_host
            advice = unknown_host(exc, isinstance(exc, requests.exceptions.ProxyError))
            if advice:  # a mistyped region or endpoint: one more try only (macOS says the same while the network is down)
                raise _Retry(TransportError('%s: could not get an answer from %s: %s. %s' % (action, url, _reason(exc), advice)),
                             attempts=NO_SUCH_HOST_RETRIES) from None
            raise _Retry(TransportError('%s: could not get an answer from %s: %s' % (action, url, _reason(exc)))) from None
        except requests.exceptions.RequestException as exc:
            raise TransportError('%s: request to %s failed: %s' % (action, url, _reason(exc))) from None
        return self._decode(action, response, content)

    def _decode(self, action, response, content):
        status = response.status_code
        try:
            data = json.loads(content.decode('utf-8'))
        except (ValueError, UnicodeDecodeError):
            data = None
        if status >= 400 or 300 <= status < 400:
            if not isinstance(data, dict) or not data.get('Code'):
                kind = response.headers.get('content-type', 'no content type')
                error = ApiError(action, 'HTTP%d' % status, 'an error answer that is not Alibaba Cloud JSON (%s)' % kind.split(';')[0],
                                 status=status, request_id=response.headers.get('x-acs-request-id'))
                if status >= 500:
                    raise _Retry(error)
                raise error
            retry_after = _retry_after(response.headers.get('x-acs-retry-after'))
            code_hint = hint(data.get('Code'), getattr(self.credentials, 'assumed_role', False))
            error = ApiError(action, str(data.get('Code')), str(data.get('Message') or ''), data.get('RequestId'), status,
                             data.get('Recommend'), code_hint, retry_after)
            if error.code in RETRYABLE_CODES or status >= 500:
                raise _Retry(error, throttled=error.code in THROTTLING_CODES, retry_after=retry_after, answered=True)
            raise error
        if isinstance(data, dict) and data.get('Code') is not None and data.get('Code') != 'success':
            # An error in a normal answer (ApproveOtaTask's OtaTask.Running comes as HTTP 200).
            error = ApiError(action, str(data.get('Code')), str(data.get('Message') or ''), data.get('RequestId'), status,
                             data.get('Recommend'), hint(data.get('Code'), getattr(self.credentials, 'assumed_role', False)))
            if error.code in RETRYABLE_CODES:
                raise _Retry(error, throttled=error.code in THROTTLING_CODES, answered=True)
            raise error
        if data is None:
            # A truncated or garbled 200 is a transport accident: worth another attempt.
            raise _Retry(ResponseError(action, 'the body is not valid JSON (%d bytes)' % len(content),
                                       response.headers.get('x-acs-request-id')))
        if not isinstance(data, dict):
            raise ResponseError(action, 'the body is a JSON %s, not an object' % type(data).__name__)
        return data


def form_pairs(params):
    """Sorted (key, text) pairs of a form body; a list or tuple value becomes Key.1, Key.2, ... (None is left out)."""
    pairs = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend(('%s.%d' % (key, index), str(item)) for index, item in enumerate(value, 1))
        else:
            pairs.append((key, str(value)))
    return sorted(pairs)


def _deadline_error(text):
    """The deadline passed before a request could be sent: a later poll (if any is left) may succeed."""
    error = TransportError(text)
    error.transient = True
    return error


def _retry_after(value):
    """x-acs-retry-after is in milliseconds; anything unparsable is ignored."""
    try:
        millis = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return millis / 1000.0 if millis > 0 else None


def _reason(exc):
    """A short reason without the URL noise requests wraps around it."""
    inner = exc.args[0] if exc.args else exc
    reason = getattr(inner, 'reason', None) or inner
    text = str(reason)
    for marker in ('Connection aborted.', 'Read timed out', 'Connection refused', 'Connection reset', 'certificate verify failed'):
        if marker in text:
            return marker.rstrip('.').lower() if marker != 'certificate verify failed' else text
    return text[:300]
