# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transport against the real loopback emulator: retries, backoff, error mapping, signing headers.

Sleeping is injected (``sleep=``) and recorded, jitter comes from an injected ``rng``, so every
delay is asserted exactly and no test waits for a backoff.
"""

from __future__ import annotations

import datetime
import re
import socket
import threading
import time

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import ApiError, ResponseError, TransportError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.transport import RETRY_TIME_BUDGET, AdaptiveLimiter

from ...helpers import (
    AK, SECRET, STS_AK, STS_SECRET, STS_TOKEN, FakeClock, Sleeps, account, api_log, concurrently, list_params, sent_headers, sts_account,
    task, transport)

ONE_TASK = {'aig-1': {'tasks': [task('ota-1')]}}
REQUEST_ID = re.compile(r'^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$')


def task_ids(body):
    return [item['TaskId'] for item in body['TaskList']]


@pytest.mark.parametrize('fault', ['http500', 'http503', 'html502', 'reset', 'malformed'])
def test_a_transient_failure_is_retried_then_succeeds(emulator, fault):
    server = emulator(ONE_TASK, faults={'schedule': {'1': fault}})
    sleeps = Sleeps()
    client = transport(server, sleep=sleeps)
    assert task_ids(client.call('ListOtaTask', list_params())) == ['ota-1']
    assert [entry['fault'] for entry in api_log(server)] == [fault, None]
    assert client.calls == 2
    assert sleeps == [0.5]   # rng 1.0: the whole first backoff window


def test_a_read_timeout_is_retried_then_succeeds(emulator):
    server = emulator(ONE_TASK, faults={'schedule': {'1': 'hang'}, 'hang_seconds': 5})
    sleeps = Sleeps()
    client = transport(server, sleep=sleeps, timeout=0.3)
    started = time.monotonic()
    assert task_ids(client.call('ListOtaTask', list_params())) == ['ota-1']
    assert time.monotonic() - started < 3   # the hanging answer was not waited for
    assert server.stats()['faults_injected'] == {'hang': 1}
    assert client.calls == 2 and sleeps == [0.5]


@pytest.mark.parametrize('fault', ['throttle', 'throttle_api'])
def test_a_throttled_request_is_sent_again_without_using_up_a_retry(emulator, fault):
    """Throttling is not failure (issue 19): with retries 0, five throttling answers in a row still end in the answer."""
    server = emulator(ONE_TASK, faults={'schedule': {str(n): fault for n in range(1, 6)}})
    clock = FakeClock()
    client = transport(server, clock=clock, sleep=clock.sleep, retries=0)
    assert task_ids(client.call('ListOtaTask', list_params(), deadline=clock() + 600)) == ['ota-1']
    assert (client.calls, client.throttled) == (6, 5)
    assert client.rate.cuts == 5   # one request in flight at a time: each answer is a round of its own


def test_other_retryable_errors_keep_their_count_next_to_throttling(emulator):
    server = emulator(ONE_TASK, faults={'schedule': {'1': 'throttle', '2': 'http500', '3': 'throttle', '4': 'http503'}})
    clock = FakeClock()
    client = transport(server, clock=clock, sleep=clock.sleep, retries=1)
    with pytest.raises(ApiError) as err:
        client.call('ListOtaTask', list_params(), deadline=clock() + 600)
    assert err.value.code == 'ServiceUnavailable' and str(err.value).endswith('Gave up after 2 attempts')
    assert (client.calls, client.throttled) == (4, 2)


@pytest.mark.parametrize('fault', ['throttle', 'throttle_api'])
@pytest.mark.parametrize('retry_after_ms, delay', [(1500, 1.5), (250, 0.25), (600000, 60.0)])
def test_throttling_waits_what_x_acs_retry_after_says(emulator, fault, retry_after_ms, delay):
    server = emulator(ONE_TASK, faults={'schedule': {'1': fault, '2': fault}, 'retry_after_ms': retry_after_ms})
    clock = FakeClock()
    client = transport(server, clock=clock, sleep=clock.sleep, rng=lambda: 0.1)
    client.call('ListOtaTask', list_params())
    assert clock.sleeps == [delay, delay]   # the header, capped at 60 s: the next request goes exactly then


def test_throttling_without_retry_after_waits_for_the_adaptive_rate(emulator):
    """The first answer is throttled: nothing accepted yet, so the client starts at the slowest rate, 0.5/s."""
    server = emulator(ONE_TASK, faults={'schedule': {'1': 'throttle', '2': 'throttle'}})
    clock = FakeClock()
    client = transport(server, clock=clock, sleep=clock.sleep, rng=lambda: 0.1)
    client.call('ListOtaTask', list_params())
    assert clock.sleeps == pytest.approx([2.0, 2.0])
    assert client.calls == 3


def test_after_a_throttle_every_api_waits_for_the_same_rate(emulator):
    """One limiter per client, shared by every action: a throttled ListOtaTask paces the next GetOtaTaskByTaskId too."""
    server = emulator(ONE_TASK, faults={'schedule': {'1': 'throttle'}})
    clock = FakeClock()
    client = transport(server, clock=clock, sleep=clock.sleep)
    client.call('ListOtaTask', list_params())
    waited = len(clock.sleeps)
    with pytest.raises(ApiError):          # no such task: what matters is the wait before it is sent
        client.call('GetOtaTaskByTaskId', {'TaskId': 'ota-nope'})
    assert len(clock.sleeps) == waited + 1 and clock.sleeps[-1] > 0


def test_backoff_is_exponential_with_full_jitter_and_a_cap(emulator):
    server = emulator(ONE_TASK, faults={'every': {'http503': 1}})
    rolls = iter([1.0, 0.5, 1.0, 0.25, 1.0, 1.0, 1.0, 0.5, 0.0, 1.0])
    sleeps = Sleeps()
    client = transport(server, sleep=sleeps, rng=lambda: next(rolls), retries=9)
    with pytest.raises(ApiError):
        client.call('ListOtaTask', list_params())
    # window 0.5 * 2**attempt, capped at 20 s, times the random roll (0 allowed: full jitter)
    assert sleeps == pytest.approx([0.5, 0.5, 2.0, 1.0, 8.0, 16.0, 20.0, 10.0, 0.0])
    assert client.calls == 10


def test_one_call_spends_at_most_300_seconds_retrying(emulator):
    server = emulator(ONE_TASK, faults={'every': {'http500': 1}})
    sleeps = Sleeps()
    client = transport(server, sleep=sleeps, retries=50)
    with pytest.raises(ApiError) as err:
        client.call('ListOtaTask', list_params())
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0] + [20.0] * 13
    assert sum(sleeps) <= 300
    assert 'Gave up after 20 attempts' in str(err.value)


@pytest.mark.parametrize('retries', [0, 1, 3])
def test_retries_bound_the_attempts_and_the_error_says_so(emulator, retries):
    server = emulator(ONE_TASK, faults={'every': {'http500': 1}})
    client = transport(server, retries=retries)
    with pytest.raises(ApiError) as err:
        client.call('ListOtaTask', list_params())
    assert len(api_log(server)) == retries + 1 == client.calls
    text = str(err.value)
    assert text.startswith('ListOtaTask failed: InternalError: ')
    assert '(HTTP 500, RequestId %s)' % err.value.request_id in text
    assert REQUEST_ID.match(err.value.request_id)
    attempts = retries + 1
    assert text.endswith('Gave up after %d attempt%s' % (attempts, '' if attempts == 1 else 's'))
    assert err.value.transient


def test_throttling_that_never_ends_stops_at_the_deadline_and_tells_what_helps(emulator):
    server = emulator(ONE_TASK, faults={'every': {'throttle': 1}})
    clock = FakeClock()
    client = transport(server, clock=clock, sleep=clock.sleep, retries=2)
    with pytest.raises(ApiError) as err:
        client.call('ListOtaTask', list_params(), deadline=clock() + 20)
    assert err.value.code == 'Throttling.User' and err.value.status == 400 and err.value.transient
    text = str(err.value)
    assert 'RequestId %s' % err.value.request_id in text
    assert ('The API kept throttling until the deadline: the API throttled 11 of the 11 requests this client sent; it adapted '
            'to 0.5 requests/s, and the API accepted 0.0/s at the end. ') in text
    assert ('run fewer jobs against this account at once, allow more time (ota_task_wait\'s wait_timeout; a listing has 600 s), '
            "or ask Alibaba Cloud to raise the account's quota. Gave up at the deadline") in text
    assert 'max_concurrency' not in text and 'retries' not in text
    assert len(api_log(server)) == 11 == client.calls     # one every 2 s at the slowest rate: 0, 2, ... 20 s
    assert clock() - 1000.0 <= 20


def test_throttling_without_a_deadline_is_bounded_by_the_time_budget_of_one_call(emulator):
    server = emulator(ONE_TASK, faults={'every': {'throttle': 1}})
    clock = FakeClock()
    client = transport(server, clock=clock, sleep=clock.sleep)
    with pytest.raises(ApiError, match='Gave up at the deadline'):
        client.call('ListOtaTask', list_params())
    assert clock() - 1000.0 <= RETRY_TIME_BUDGET and client.calls == 1 + RETRY_TIME_BUDGET / 2


def test_connection_resets_that_never_end_give_a_transport_error(emulator):
    server = emulator(ONE_TASK, faults={'every': {'reset': 1}})
    with pytest.raises(TransportError) as err:
        transport(server, retries=1).call('ListOtaTask', list_params())
    assert 'ListOtaTask: could not get an answer from %s/' % server.endpoint in str(err.value)
    assert str(err.value).endswith('Gave up after 2 attempts')
    assert err.value.transient and server.stats()['faults_injected'] == {'reset': 2}


def test_truncated_json_that_never_ends_names_the_request_id(emulator):
    server = emulator(ONE_TASK, faults={'every': {'malformed': 1}})
    with pytest.raises(ResponseError) as err:
        transport(server, retries=1).call('ListOtaTask', list_params())
    assert str(err.value).startswith('ListOtaTask returned an invalid response: the body is not valid JSON')
    assert REQUEST_ID.match(err.value.request_id) and err.value.request_id in str(err.value)
    assert str(err.value).endswith('Gave up after 2 attempts')


def test_an_html_error_page_is_named_as_such(emulator):
    server = emulator(ONE_TASK, faults={'every': {'html502': 1}})
    with pytest.raises(ApiError) as err:
        transport(server, retries=0).call('ListOtaTask', list_params())
    assert err.value.code == 'HTTP502' and err.value.status == 502
    assert 'not Alibaba Cloud JSON (text/html)' in str(err.value)


def test_an_endpoint_that_refuses_connections_is_retried_then_reported(emulator):
    server = emulator(ONE_TASK)
    client = transport(server, retries=2)
    server.stop()
    with pytest.raises(TransportError) as err:
        client.call('ListOtaTask', list_params())
    assert client.calls == 3
    assert 'connection refused' in str(err.value) and 'Gave up after 3 attempts' in str(err.value)


def test_a_netrc_entry_does_not_replace_the_signature(emulator, monkeypatch, tmp_path):
    """requests would send ~/.netrc's credentials as basic auth over the signed Authorization header."""
    netrc = tmp_path / 'netrc'
    netrc.write_text('default login intruder password not-a-key\n')
    netrc.chmod(0o600)
    monkeypatch.setenv('NETRC', str(netrc))
    server = emulator(ONE_TASK)
    assert task_ids(transport(server).call('ListOtaTask', list_params())) == ['ota-1']


def _refusing_proxy():
    """A loopback 'proxy' that records the request line it gets and refuses the tunnel."""
    listener = socket.create_server(('127.0.0.1', 0))
    seen = []

    def serve():
        conn, _addr = listener.accept()
        with conn:
            data = b''
            while b'\r\n\r\n' not in data:
                data += conn.recv(65536)
            seen.append(data.split(b'\r\n', 1)[0].decode())
            conn.sendall(b'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return 'http://127.0.0.1:%d' % listener.getsockname()[1], seen


def test_the_proxy_environment_is_honoured(emulator, monkeypatch):
    """HTTPS_PROXY and NO_PROXY are read once, by requests' rules, for the endpoint."""
    proxy, seen = _refusing_proxy()
    monkeypatch.setenv('HTTPS_PROXY', proxy)
    monkeypatch.setenv('HTTP_PROXY', proxy)
    for name in ('NO_PROXY', 'no_proxy', 'https_proxy', 'http_proxy'):
        monkeypatch.delenv(name, raising=False)
    server = emulator(ONE_TASK)
    with pytest.raises(TransportError) as err:
        transport(server, endpoint='appstream-center.cn-shanghai.test', retries=0).call('ListOtaTask', list_params())
    assert seen == ['CONNECT appstream-center.cn-shanghai.test:443 HTTP/1.1']   # the proxy was asked, nothing resolved
    assert 'could not get an answer from https://appstream-center.cn-shanghai.test/' in str(err.value)
    monkeypatch.setenv('NO_PROXY', '127.0.0.1')
    assert task_ids(transport(server).call('ListOtaTask', list_params())) == ['ota-1']   # straight to the emulator
    assert server.stats()['calls']['ListOtaTask'] == 1


def _resolver(monkeypatch, missing, code):
    """Patch the machine's resolver (not the client: nothing leaves loopback): ``missing`` fails with ``code``."""
    real = socket.getaddrinfo
    resolved = []

    def resolver(host, *args, **kwargs):
        resolved.append(host)
        if host == missing:
            raise socket.gaierror(getattr(socket, code), 'resolver says %s' % code)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, 'getaddrinfo', resolver)
    return resolved


@pytest.mark.parametrize('code, attempts', [('EAI_NONAME', 2), ('EAI_NODATA', 2), ('EAI_AGAIN', 4)])
def test_a_host_that_does_not_exist_is_tried_twice_a_resolver_hiccup_as_often_as_retries(emulator, monkeypatch, code, attempts):
    """A mistyped region_id names a host that does not exist: retrying six times would only make the user wait."""
    server = emulator(ONE_TASK)
    resolved = _resolver(monkeypatch, 'appstream-center.cn-shangai.aliyuncs.com', code)
    sleeps = Sleeps()
    client = transport(server, sleep=sleeps, retries=3, endpoint=None, region_id='cn-shangai')
    with pytest.raises(TransportError) as err:
        client.call('ListOtaTask', list_params())
    text = str(err.value)
    assert 'could not get an answer from https://appstream-center.cn-shangai.aliyuncs.com/' in text
    assert 'resolver says %s' % code in text and 'Gave up after %d attempts' % attempts in text
    assert client.calls == attempts and len(sleeps) == attempts - 1
    assert resolved == ['appstream-center.cn-shangai.aliyuncs.com'] * attempts
    assert ('The host name could not be resolved: check region_id' in text) == (code != 'EAI_AGAIN')
    assert server.stats()['calls'].get('ListOtaTask', 0) == 0


def test_a_proxy_that_does_not_resolve_is_named(emulator, monkeypatch):
    for name in ('NO_PROXY', 'no_proxy', 'https_proxy', 'http_proxy'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxy.corp.example:3128')
    _resolver(monkeypatch, 'proxy.corp.example', 'EAI_NONAME')
    server = emulator(ONE_TASK)
    with pytest.raises(TransportError) as err:
        transport(server, endpoint='appstream-center.cn-shanghai.aliyuncs.com').call('ListOtaTask', list_params())
    assert "The proxy's host name could not be resolved: check HTTPS_PROXY" in str(err.value)
    assert 'check region_id' not in str(err.value) and 'Gave up after 2 attempts' in str(err.value)


def test_the_deadline_stops_retries(emulator, clock):
    server = emulator(ONE_TASK, faults={'every': {'http503': 1}})
    client = transport(server, sleep=clock.sleep, clock=clock, retries=10)
    with pytest.raises(ApiError) as err:
        client.call('ListOtaTask', list_params(), deadline=clock() + 1.0)
    assert clock.sleeps == [0.5]   # the next backoff (1.0 s) would end past the deadline
    assert client.calls == 2
    assert str(err.value).endswith('Gave up after 2 attempts at the deadline')
    assert err.value.transient


def test_the_deadline_bounds_the_read_timeout(emulator):
    server = emulator(ONE_TASK, faults={'every': {'hang': 1}, 'hang_seconds': 5})
    client = transport(server, timeout=10)
    started = time.monotonic()
    with pytest.raises(TransportError) as err:
        client.call('ListOtaTask', list_params(), deadline=started + 0.6)
    assert time.monotonic() - started < 2.5
    assert 'at the deadline' in str(err.value) and client.calls == 1


@pytest.mark.parametrize('change, code, status', [
    ({'key': (AK, 'not-the-secret', None)}, 'SignatureDoesNotMatch', 400),
    ({'key': ('LTAI-unknown', SECRET, None)}, 'InvalidAccessKeyId.NotFound', 404),
    ({'key': ('LTAI-off', 'off-secret', None)}, 'InvalidAccessKeyId.Inactive', 400),
    ({'key': (STS_AK, STS_SECRET, None)}, 'MissingSecurityToken', 400),
    ({'key': ('STS.expired', 'expired-secret', 'expired-token')}, 'InvalidSecurityToken.Expired', 400),
    ({'params': list_params(size=101)}, 'InvalidParameter.PageSize', 400),
    ({'params': list_params(number=0)}, 'InvalidParameter.PageNumber', 400),
    ({'params': dict(list_params(), OtaType='Sota')}, 'InvalidParameter.OtaType', 400),
    ({'params': dict(list_params(), AppInstanceGroupId=None)}, 'MissingParameter', 400),
    ({'params': list_params(group='aig-unknown')}, 'InvalidAppInstanceGroup.NotFound', 400),
])
def test_auth_and_validation_errors_are_never_retried(emulator, change, code, status):
    accounts = [account(), sts_account(), account(access_key_id='LTAI-off', access_key_secret='off-secret', disabled=True),
                sts_account(access_key_id='STS.expired', access_key_secret='expired-secret', security_token='expired-token', expired=True)]
    server = emulator(ONE_TASK, accounts=accounts)
    sleeps = Sleeps()
    client = transport(server, key=change.get('key', (AK, SECRET, None)), sleep=sleeps)
    with pytest.raises(ApiError) as err:
        client.call('ListOtaTask', change.get('params', list_params()))
    assert (err.value.code, err.value.status) == (code, status)
    assert client.calls == 1 and len(api_log(server)) == 1 and sleeps == []
    assert not err.value.transient
    assert 'gave up' not in str(err.value)


@pytest.mark.parametrize('key, hint', [
    ((AK, 'not-the-secret', None), 'Check access_key_secret'),
    (('LTAI-unknown', SECRET, None), 'Check access_key_id'),
    ((STS_AK, STS_SECRET, None), 'give its security_token too'),
])
def test_auth_errors_say_what_to_check_and_never_show_the_secret(emulator, key, hint):
    server = emulator(ONE_TASK, accounts=[account(), sts_account()])
    with pytest.raises(ApiError) as err:
        transport(server, key=key).call('ListOtaTask', list_params())
    assert hint in str(err.value)
    assert key[1] not in str(err.value) and key[1] not in repr(err.value.details())


def test_api_errors_carry_code_message_request_id_status_and_recommend(emulator):
    server = emulator(ONE_TASK)
    with pytest.raises(ApiError) as err:
        transport(server).call('ListOtaTask', list_params(group='aig-unknown'))
    request_id = err.value.request_id
    assert REQUEST_ID.match(request_id)
    assert err.value.details() == {'error': {
        'code': 'InvalidAppInstanceGroup.NotFound', 'message': 'The app instance group is not found.',
        'request_id': request_id, 'http_status': 400,
        'recommend': 'https://api.aliyun.com/troubleshoot?q=InvalidAppInstanceGroup.NotFound&product=appstream-center&requestId=%s'
                     % request_id}}
    assert str(err.value) == ('ListOtaTask failed: InvalidAppInstanceGroup.NotFound: The app instance group is not found. '
                              '(HTTP 400, RequestId %s)' % request_id)


def test_the_limiter_halves_on_throttling_and_grows_back_to_its_bound():
    limiter = AdaptiveLimiter(8)
    limits = []
    for _i in range(4):
        limiter.throttled()
        limits.append(limiter.limit)
    assert limits == [4, 2, 1, 1]
    grown = []
    for _i in range(40):
        limiter.succeeded()
        grown.append(limiter.limit)
    # additive increase: a window of `limit` successes adds one, up to the bound and never above it
    assert grown[:6] == [2, 2, 3, 3, 3, 4]
    assert grown.index(8) == 1 + 2 + 3 + 4 + 5 + 6 + 7 - 1
    assert max(grown) == 8 and grown[-1] == 8
    assert AdaptiveLimiter(0).limit == 1


def test_the_transport_limiter_follows_throttling_answers(emulator):
    server = emulator(ONE_TASK, faults={'schedule': {'1': 'throttle'}})
    client = transport(server, max_concurrency=4)
    client.call('ListOtaTask', list_params())
    assert client.limiter.limit == 2
    client.call('ListOtaTask', list_params())
    assert client.limiter.limit == 3


def test_concurrent_calls_get_through_a_throttling_gateway(emulator):
    server = emulator(ONE_TASK, max_in_flight=2, latency_ms=50)
    client = transport(server, max_concurrency=8)
    results, errors = [], []

    def call():
        try:
            results.append(task_ids(client.call('ListOtaTask', list_params())))
        except Exception as exc:  # pylint: disable=broad-exception-caught
            errors.append(exc)

    concurrently(call, 8)
    assert errors == [] and results == [['ota-1']] * 8
    assert server.stats()['throttled_by_limit'].get('max_in_flight', 0) >= 1
    assert client.limiter.limit < 8


def test_every_request_has_a_fresh_nonce(emulator):
    server = emulator(ONE_TASK, faults={'schedule': {'2': 'http500', '4': 'reset'}})
    client = transport(server)
    headers = sent_headers(client)
    for _i in range(4):
        client.call('ListOtaTask', list_params())
    nonces = [h['x-acs-signature-nonce'] for h in headers]
    assert len(nonces) == 5 and len(set(nonces)) == 5   # the reset request got no response to record
    assert server.stats()['ok_calls'] == {'ListOtaTask': 4}
    assert 'SignatureNonceUsed' not in server.stats()['error_codes']


def test_an_sts_token_is_sent_and_signed(emulator):
    server = emulator(ONE_TASK, accounts=[sts_account()])
    client = transport(server, key=(STS_AK, STS_SECRET, STS_TOKEN))
    headers = sent_headers(client)
    assert task_ids(client.call('ListOtaTask', list_params())) == ['ota-1']
    sent = headers[0]
    assert sent['x-acs-security-token'] == STS_TOKEN and sent['x-acs-accesskey-id'] == STS_AK
    signed = re.search(r'SignedHeaders=([^,]+)', sent['Authorization']).group(1).split(';')
    assert {'x-acs-security-token', 'x-acs-accesskey-id', 'host', 'x-acs-date', 'x-acs-signature-nonce'} <= set(signed)


def test_a_permanent_key_sends_no_sts_headers(emulator):
    server = emulator(ONE_TASK)
    client = transport(server)
    headers = sent_headers(client)
    client.call('ListOtaTask', list_params())
    assert 'x-acs-security-token' not in headers[0] and 'x-acs-accesskey-id' not in headers[0]
    assert headers[0]['Authorization'].startswith('ACS3-HMAC-SHA256 Credential=%s,' % AK)


def test_x_acs_date_comes_from_the_injected_utcnow(emulator):
    fixed = datetime.datetime(2031, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc)
    server = emulator(ONE_TASK)
    server._time = fixed.timestamp  # pylint: disable=protected-access  # the emulator's wall clock agrees
    client = transport(server, utcnow=lambda: fixed)
    headers = sent_headers(client)
    assert task_ids(client.call('ListOtaTask', list_params())) == ['ota-1']
    assert headers[0]['x-acs-date'] == '2031-02-03T04:05:06Z'


def test_an_off_clock_is_reported_with_a_hint_to_check_it(emulator):
    server = emulator(ONE_TASK)
    skewed = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)
    sleeps = Sleeps()
    client = transport(server, utcnow=lambda: skewed, sleep=sleeps)
    with pytest.raises(ApiError) as err:
        client.call('ListOtaTask', list_params())
    assert err.value.code == 'InvalidTimeStamp.Expired'
    assert "Check this machine's clock" in str(err.value)
    assert client.calls == 1 and sleeps == []


def test_parameters_in_the_url_query_are_signed_and_sent_as_signed(emulator):
    server = emulator(ONE_TASK)
    client = transport(server)
    urls = []
    client._session.hooks['response'].append(lambda response, *args, **kwargs: urls.append(response.request.url))  # pylint: disable=protected-access
    params = list_params()
    query = {'AppInstanceGroupId': params.pop('AppInstanceGroupId'), 'OtaType': params.pop('OtaType'), 'Note': 'a b/c~*'}
    assert task_ids(client.call('ListOtaTask', params, query=query)) == ['ota-1']
    assert urls == [server.endpoint + '/?AppInstanceGroupId=aig-1&Note=a%20b%2Fc~%2A&OtaType=Fota']
    assert client.calls == 1   # the emulator verified the signature over that query at the first attempt


def test_list_parameters_are_numbered_and_none_is_left_out():
    from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.transport import form_pairs
    assert form_pairs({'Status': ['PUBLISHED', 'MAINTAINING'], 'Empty': None, 'B': 2, 'None': [], 'One': ('x',)}) == [
        ('B', '2'), ('One.1', 'x'), ('Status.1', 'PUBLISHED'), ('Status.2', 'MAINTAINING')]


@pytest.mark.parametrize('fault', ['reset', 'malformed', 'html502', 'hang'])
def test_a_write_whose_answer_was_lost_is_never_resent(emulator, fault):
    from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OutcomeUnknown
    server = emulator(ONE_TASK, faults={'schedule': {'1': fault}, 'hang_seconds': 3})
    sleeps = Sleeps()
    client = transport(server, sleep=sleeps, timeout=0.5)
    with pytest.raises(OutcomeUnknown) as err:
        client.call('ListOtaTask', list_params(), write=True)
    assert str(err.value).startswith('ListOtaTask: the outcome is unknown: ')
    assert client.calls == 1 and sleeps == []
    assert server.stats()['faults_injected'] == {fault: 1}   # one request reached the server


@pytest.mark.parametrize('fault', ['throttle', 'throttle_api', 'http500', 'http503'])
def test_a_write_the_api_refused_with_an_error_code_is_retried(emulator, fault):
    server = emulator(ONE_TASK, faults={'schedule': {'1': fault}})
    client = transport(server)
    assert task_ids(client.call('ListOtaTask', list_params(), write=True)) == ['ota-1']
    assert client.calls == 2
