# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the strict loopback emulator (tests/emulator/ota_emulator.py) over real HTTP.

The signing helpers below are a second, independent implementation written from
docs/api-contract.md 1.3; one published SDK-derived vector pins them down.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import importlib.util
import json
import os
import pathlib
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, quote_plus, urlencode

import pytest

EMULATOR_PATH = pathlib.Path(__file__).resolve().parents[2] / 'emulator' / 'ota_emulator.py'
_SPEC = importlib.util.spec_from_file_location('ota_emulator_under_test', EMULATOR_PATH)
emulator_mod = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(emulator_mod)
Emulator = emulator_mod.Emulator

API_VERSION = '2021-09-01'
STS_VERSION = '2015-04-01'
AK, SECRET = 'AK-TEST', 'secret-test'
ROLE = 'acs:ram::1234567890123456:role/ota-reader'
OTHER_ROLE = 'acs:ram::6543210987654321:role/other'
STATIC_STS = ('STS.static1', 'sts-secret-1', 'tok-1')

DATA = {
    'accounts': [
        {'access_key_id': AK, 'access_key_secret': SECRET, 'roles': [ROLE]},
        {'access_key_id': 'AK-OTHER', 'access_key_secret': 'other-secret', 'roles': [OTHER_ROLE]},
        {'access_key_id': STATIC_STS[0], 'access_key_secret': STATIC_STS[1], 'security_token': STATIC_STS[2]},
        {'access_key_id': 'STS.old', 'access_key_secret': 'sts-old-secret', 'security_token': 'tok-old', 'expired': True},
        {'access_key_id': 'AK-OFF', 'access_key_secret': 'off-secret', 'disabled': True},
    ],
    'groups': {
        'aig-1': {'tasks': [
            {'TaskId': 'ota-new', 'OtaVersion': '0.0.5-R-20240305.000000', 'TaskStartTime': '2024-03-05T10:00:00+08:00',
             'timeline': [[4, 'RUNNING'], [8, 'FINISHED']], 'appear_after': 4},
            {'TaskId': 'ota-t1', 'OtaVersion': '0.0.4-R-20240304.000000', 'TaskStartTime': '2024-03-04T10:00:00+08:00',
             'timeline': [[0, 'STANDBY'], [2, 'RUNNING'], [6, 'FINISHED']]},
            {'TaskId': 'ota-f1', 'OtaVersion': '0.0.3-R-20240303.000000', 'TaskStartTime': '2024-03-03T10:00:00+08:00',
             'TaskDisplayStatus': 'FINISHED'},
            {'TaskId': 'ota-f2', 'OtaVersion': '0.0.2-R-20240302.000000', 'TaskStartTime': '2024-03-02T10:00:00+08:00',
             'TaskDisplayStatus': 'FAILED'},
            {'TaskId': 'ota-f3', 'OtaVersion': '0.0.1-R-20240301.000000', 'TaskStartTime': '2024-03-01T10:00:00+08:00',
             'TaskDisplayStatus': 'TERMINATED'},
        ]},
        'aig-order': {'tasks': [
            {'TaskId': 'ota-b', 'OtaVersion': 'v', 'TaskStartTime': '2024-01-01T00:00:00Z', 'TaskDisplayStatus': 'FINISHED'},
            {'TaskId': 'ota-a', 'OtaVersion': 'v', 'TaskStartTime': '2024-01-01T08:00:00+08:00', 'TaskDisplayStatus': 'FINISHED'},
            {'TaskId': 'ota-c', 'OtaVersion': 'v', 'TaskStartTime': '2024-01-01T09:30:00+08:00', 'TaskDisplayStatus': 'FINISHED'},
            {'TaskId': 'ota-d', 'OtaVersion': 'v', 'TaskStartTime': '2023-12-31T20:00:00-05:00', 'TaskDisplayStatus': 'FINISHED'},
        ]},
        'aig-big': {'generate': {'count': 250}},
        'aig-empty': {'tasks': []},
    },
}
LIST = {'AppInstanceGroupId': 'aig-1', 'OtaType': 'Fota', 'PageNumber': '1', 'PageSize': '10'}
ERROR_KEYS = {'RequestId', 'HostId', 'Code', 'Message', 'Recommend'}


# --------------------------------------------------------------------------- signing helpers (independent)

def _enc(value):
    return quote(str(value), safe='~')


def sign_v3(method, query_pairs, headers, body, ak, secret, names):
    """ACS3-HMAC-SHA256 Authorization value over the listed header names."""
    lower = {k.lower(): v for k, v in headers.items()}
    canonical = '\n'.join([
        method, '/',
        '&'.join('%s=%s' % (_enc(k), _enc(v)) for k, v in sorted(query_pairs)),
        ''.join('%s:%s\n' % (n, lower[n].strip()) for n in names),
        ';'.join(names),
        hashlib.sha256(body).hexdigest(),
    ])
    to_sign = 'ACS3-HMAC-SHA256\n' + hashlib.sha256(canonical.encode()).hexdigest()
    sig = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return 'ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s' % (ak, ';'.join(names), sig)


def sign_rpc(method, params, secret, encoder=_enc):
    canonical = '&'.join('%s=%s' % (encoder(k), encoder(params[k])) for k in sorted(params))
    to_sign = method + '&' + encoder('/') + '&' + encoder(canonical)
    return base64.b64encode(hmac.new((secret + '&').encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


def utc_now(offset=0.0):
    return (datetime.now(timezone.utc) + timedelta(seconds=offset)).strftime('%Y-%m-%dT%H:%M:%SZ')


class Resp:
    def __init__(self, status, headers, body, version=11):
        self.status, self.headers, self.body, self.version = status, headers, body, version

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def code(self):
        return self.json.get('Code')


def http_call(emu, method, path, headers=None, body=b'', context=None, conn=None):
    own = conn is None
    if own:
        if context is not None:
            conn = http.client.HTTPSConnection(emu.host, emu.port, timeout=15, context=context)
        else:
            conn = http.client.HTTPConnection(emu.host, emu.port, timeout=15)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return Resp(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, resp.version)
    finally:
        if own:
            conn.close()


def api(emu, params=None, action='ListOtaTask', version=API_VERSION, ak=AK, secret=SECRET, token=None, method='POST',
        query=None, date=None, nonce=None, names=None, extra=None, tamper=None, context=None, conn=None):
    """One V3-signed request; ``tamper(headers) -> body or None`` runs after signing."""
    params = LIST if params is None else params
    body = urlencode(sorted(params.items())).encode()
    query_pairs = sorted((query or {}).items())
    headers = {'host': emu.host_port, 'x-acs-action': action, 'x-acs-version': version,
               'x-acs-date': date or utc_now(), 'x-acs-signature-nonce': nonce or uuid.uuid4().hex,
               'accept': 'application/json', 'content-type': 'application/x-www-form-urlencoded',
               'x-acs-content-sha256': hashlib.sha256(body).hexdigest(), 'user-agent': 'emulator-unit-tests'}
    if token:
        headers['x-acs-accesskey-id'] = ak
        headers['x-acs-security-token'] = token
    headers.update(extra or {})
    headers['Authorization'] = sign_v3(method, query_pairs, headers, body, ak, secret, names or sorted(headers))
    if tamper is not None:
        body = tamper(headers) or body
    path = '/' + ('?' + urlencode(query_pairs, quote_via=quote) if query_pairs else '')
    return http_call(emu, method, path, headers, body, context=context, conn=conn)


def rpc(emu, action, version, params, ak=AK, secret=SECRET, token=None, method='POST', encoder=_enc, sign_secret=None):
    """Legacy HMAC-SHA1 RPC request: common params in the URL, API params in the form body (POST) or URL (GET)."""
    common = {'Action': action, 'Format': 'json', 'Version': version, 'Timestamp': utc_now(),
              'SignatureNonce': uuid.uuid4().hex, 'SignatureMethod': 'HMAC-SHA1', 'SignatureVersion': '1.0',
              'AccessKeyId': ak}
    if token:
        common['SecurityToken'] = token
    signed = dict(common, **params)
    common['Signature'] = sign_rpc(method, signed, sign_secret or secret, encoder)
    headers = {'host': emu.host_port, 'user-agent': 'emulator-unit-tests'}
    body = b''
    if method == 'GET':
        common.update(params)
    else:
        headers['content-type'] = 'application/x-www-form-urlencoded'
        body = urlencode(sorted(params.items())).encode()
    return http_call(emu, method, '/?' + urlencode(common), headers, body)


def admin(emu, method, path, payload=None):
    body = json.dumps(payload).encode() if payload is not None else b''
    return http_call(emu, method, '/__emulator/' + path, {'content-type': 'application/json'}, body)


@pytest.fixture
def emu():
    with Emulator(DATA) as server:
        yield server


# --------------------------------------------------------------------------- signature algorithms

# From tests/unit/plugins/module_utils/fixtures/v3_signature_vectors.json, vector "sdk-v3-appstream-listotatask-ak" (SDK-derived:
# alibabacloud-appstream-center20210901 5.9.0 / tea-openapi 0.4.6 signer, transport stubbed).
VEC_HEADERS = {
    'host': 'appstream-center.cn-shanghai.aliyuncs.com', 'x-acs-version': '2021-09-01', 'x-acs-action': 'ListOtaTask',
    'user-agent': 'AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2', 'x-acs-date': '2025-01-02T03:04:05Z',
    'x-acs-signature-nonce': '0123456789abcdef0123456789abcdef', 'accept': 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
    'x-acs-content-sha256': '3a250fd1bf3b6f2410256aa54547488c79fa166e0b08f6fb1d570ce895e8b8d8',
    'x-acs-credentials-provider': 'static_ak'}
VEC_BODY = b'AppInstanceGroupId=aig-53fvrq1oanz6c%2A%2A%2A%2A&OtaType=Fota&PageNumber=1&PageSize=10'
VEC_SIGNATURE = 'c834b73c3ef839f0274a44fde128d328d962da150756659da3f9b8dd839fdda7'
# Same file, vector "sdk-rpc-hmacsha1-sts-assumerole-credentials" (alibabacloud-credentials 1.0.12).
VEC_RPC_PARAMS = {'Action': 'AssumeRole', 'Format': 'JSON', 'Version': '2015-04-01', 'DurationSeconds': '3600',
                  'RoleArn': 'acs:ram::123456789012****:role/test', 'RoleSessionName': 'ansible-session',
                  'SignatureMethod': 'HMAC-SHA1', 'SignatureVersion': '1.0', 'Timestamp': '2025-01-02T03:04:05Z',
                  'SignatureNonce': '3a2f5a3e-7c1b-5d2e-9f00-123456789abc', 'AccessKeyId': 'testid'}
VEC_RPC_SIGNATURE = '0Bvpl4vS7pKQV4Pix4xGbg7UgZs='


def test_signing_matches_sdk_vectors():
    names = sorted(VEC_HEADERS)
    assert sign_v3('POST', [], VEC_HEADERS, VEC_BODY, 'testid', 'testsecret', names).endswith('Signature=' + VEC_SIGNATURE)
    canonical = emulator_mod.v3_canonical_request('POST', '/', [], VEC_HEADERS, names, hashlib.sha256(VEC_BODY).hexdigest())
    assert emulator_mod.v3_signature('testsecret', canonical) == VEC_SIGNATURE
    assert sign_rpc('GET', VEC_RPC_PARAMS, 'testsecret') == VEC_RPC_SIGNATURE
    assert emulator_mod.rpc_signature('testsecret', emulator_mod.rpc_string_to_sign('GET', VEC_RPC_PARAMS)) == VEC_RPC_SIGNATURE


# --------------------------------------------------------------------------- listing

def test_paging_total_count_and_keepalive(emu):
    conn = http.client.HTTPConnection(emu.host, emu.port, timeout=15)
    try:
        seen = []
        for page in range(1, 4):
            r = api(emu, dict(LIST, AppInstanceGroupId='aig-big', PageNumber=str(page), PageSize='100'), conn=conn)
            assert r.status == 200 and r.version == 11
            assert r.headers['content-type'] == 'application/json;charset=utf-8'
            assert int(r.headers['content-length']) == len(r.body)
            body = r.json
            assert (body['TotalCount'], body['PageNumber'], body['PageSize']) == (250, page, 100)
            assert set(body) == {'RequestId', 'TotalCount', 'PageSize', 'PageNumber', 'TaskList'}
            seen.extend(t['TaskId'] for t in body['TaskList'])
    finally:
        conn.close()
    assert seen == [t['TaskId'] for t in emu.tasks('aig-big')] and len(set(seen)) == 250
    assert set(emu.tasks('aig-big')[0]) == {'OtaVersion', 'TaskDisplayStatus', 'TaskStartTime', 'TaskId'}
    r = api(emu, dict(LIST, AppInstanceGroupId='aig-big', PageNumber='4', PageSize='100'))
    assert r.json['TaskList'] == [] and r.json['TotalCount'] == 250
    r = api(emu, dict(LIST, AppInstanceGroupId='aig-big', PageNumber='9', PageSize='7'))
    assert [t['TaskId'] for t in r.json['TaskList']] == seen[56:63]
    r = api(emu, dict(LIST, AppInstanceGroupId='aig-empty'))
    assert (r.status, r.json['TotalCount'], r.json['TaskList']) == (200, 0, [])


def test_ordering_newest_first_with_offsets_and_ties(emu):
    r = api(emu, dict(LIST, AppInstanceGroupId='aig-order'))
    assert [t['TaskId'] for t in r.json['TaskList']] == ['ota-c', 'ota-d', 'ota-a', 'ota-b']
    assert r.json['TaskList'][3]['TaskStartTime'] == '2024-01-01T00:00:00Z'  # served exactly as written


def test_sample_data_is_the_default():
    with Emulator() as server:
        assert len(server.tasks('aig-demo-large')) == 250 and server.tasks('aig-demo-empty') == []
        rollout = server.tasks('aig-demo-rollout')
        assert len(rollout) == 12 and rollout[0]['TaskDisplayStatus'] == 'RUNNING'
        r = api(server, dict(LIST, AppInstanceGroupId='aig-demo-rollout'), ak='EMULATOR-AK-0000', secret='emulator-secret-0000')
        assert r.status == 200 and r.json['TotalCount'] == 12


@pytest.mark.parametrize('name', ['AppInstanceGroupId', 'OtaType', 'PageNumber', 'PageSize'])
def test_missing_parameter(emu, name):
    r = api(emu, {k: v for k, v in LIST.items() if k != name})
    assert (r.status, r.code) == (400, 'MissingParameter')
    assert r.json['Message'] == 'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name


@pytest.mark.parametrize('field,value,code', [
    ('PageSize', '0', 'InvalidParameter.PageSize'), ('PageSize', '101', 'InvalidParameter.PageSize'),
    ('PageSize', 'abc', 'InvalidParameter.PageSize'), ('PageSize', '-1', 'InvalidParameter.PageSize'),
    ('PageSize', '1.5', 'InvalidParameter.PageSize'), ('PageNumber', '0', 'InvalidParameter.PageNumber'),
    ('PageNumber', 'x', 'InvalidParameter.PageNumber'), ('OtaType', 'fota', 'InvalidParameter.OtaType'),
    ('AppInstanceGroupId', 'aig-nope', 'InvalidAppInstanceGroup.NotFound'),
])
def test_invalid_parameter(emu, field, value, code):
    r = api(emu, dict(LIST, **{field: value}))
    assert (r.status, r.code) == (400, code)
    assert set(r.json) == ERROR_KEYS


def test_error_body_shape(emu):
    r = api(emu, dict(LIST, AppInstanceGroupId='aig-nope'))
    body = r.json
    assert body['HostId'] == 'appstream-center.cn-shanghai.aliyuncs.com'
    assert body['Message'] == 'The app instance group is not found.'
    assert body['Recommend'] == ('https://api.aliyun.com/troubleshoot?q=InvalidAppInstanceGroup.NotFound'
                                 '&product=appstream-center&requestId=%s' % body['RequestId'])
    assert r.headers['content-type'] == 'application/json;charset=utf-8'
    assert r.headers['x-acs-request-id'] == body['RequestId']


def test_routing_errors(emu):
    assert (api(emu, action='DescribeNothing').status, api(emu, action='DescribeNothing').code) == (404, 'InvalidAction.NotFound')
    r = api(emu, version='2020-01-01')
    assert (r.status, r.code) == (400, 'InvalidVersion')
    r = api(emu, method='PUT')
    assert (r.status, r.code) == (400, 'UnsupportedHTTPMethod')


# --------------------------------------------------------------------------- authentication

def _drop(name):
    def tamper(headers):
        del headers[name]
    return tamper


@pytest.mark.parametrize('kwargs,status,code', [
    ({'tamper': _drop('Authorization')}, 400, 'IncompleteSignature'),
    ({'tamper': lambda h: h.update(Authorization='ACS3-HMAC-SHA256 Credential=%s' % AK)}, 400, 'IncompleteSignature'),
    ({'tamper': lambda h: h.update(Authorization=h['Authorization'].replace('ACS3-HMAC-SHA256', 'ACS3-HMAC-SM3'))},
     400, 'InvalidSignatureMethod'),
    ({'tamper': lambda h: h.update({'x-acs-extra': '1'})}, 400, 'IncompleteSignature'),  # unsigned x-acs-* header
    ({'names': ['content-type', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce',
                'x-acs-version']}, 400, 'IncompleteSignature'),  # host not signed
    ({'names': ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce',
                'x-acs-version']}, 400, 'IncompleteSignature'),  # content-type sent but not signed
    ({'tamper': _drop('x-acs-date')}, 400, 'MissingParameter'),
    ({'tamper': _drop('x-acs-signature-nonce')}, 400, 'MissingParameter'),
    ({'ak': 'AK-UNKNOWN'}, 404, 'InvalidAccessKeyId.NotFound'),
    ({'ak': 'AK-OFF', 'secret': 'off-secret'}, 400, 'InvalidAccessKeyId.Inactive'),
    ({'secret': 'wrong'}, 400, 'SignatureDoesNotMatch'),
    ({'date': utc_now(-20 * 60)}, 400, 'InvalidTimeStamp.Expired'),
    ({'date': utc_now(+20 * 60)}, 400, 'InvalidTimeStamp.Expired'),
    ({'date': '2025-01-02 03:04:05'}, 400, 'InvalidTimeStamp.Format'),
    ({'ak': STATIC_STS[0], 'secret': STATIC_STS[1]}, 400, 'MissingSecurityToken'),
    ({'ak': STATIC_STS[0], 'secret': STATIC_STS[1], 'token': 'tok-wrong'}, 400, 'InvalidSecurityToken.Mismatch'),
    ({'ak': 'STS.old', 'secret': 'sts-old-secret', 'token': 'tok-old'}, 400, 'InvalidSecurityToken.Expired'),
    ({'token': 'tok-1'}, 400, 'InvalidSecurityToken.Mismatch'),  # a permanent AK never carries a token
    # error order
    ({'ak': 'AK-UNKNOWN', 'date': 'bad', 'tamper': lambda h: h.update({'x-acs-extra': '1'})}, 400, 'IncompleteSignature'),
    ({'ak': 'AK-UNKNOWN', 'date': utc_now(-3600)}, 404, 'InvalidAccessKeyId.NotFound'),
    ({'ak': STATIC_STS[0], 'secret': 'wrong', 'date': utc_now(-3600)}, 400, 'MissingSecurityToken'),
    ({'secret': 'wrong', 'date': utc_now(-3600)}, 400, 'InvalidTimeStamp.Expired'),
])
def test_auth_errors(emu, kwargs, status, code):
    r = api(emu, **kwargs)
    assert (r.status, r.code) == (status, code), r.body


def test_payload_hash_mismatch_and_its_precedence(emu):
    r = api(emu, tamper=lambda h: LIST_BODY_OTHER)
    assert (r.status, r.code) == (400, 'SignatureDoesNotMatch') and 'x-acs-content-sha256' in r.json['Message']
    r = api(emu, secret='wrong', tamper=lambda h: LIST_BODY_OTHER)  # payload check comes before the signature
    assert 'x-acs-content-sha256' in r.json['Message']
    r = api(emu, secret='wrong')
    assert r.code == 'SignatureDoesNotMatch' and 'x-acs-content-sha256' not in r.json['Message']


LIST_BODY_OTHER = urlencode(sorted(dict(LIST, PageSize='99').items())).encode()


def test_signed_header_values_and_query_are_covered(emu):
    r = api(emu, tamper=lambda h: h.update({'user-agent': 'changed'}))  # signed non-x-acs header changed
    assert r.code == 'SignatureDoesNotMatch'
    ok = api(emu, names=['content-type', 'host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date',
                         'x-acs-signature-nonce', 'x-acs-version'])  # minimal signed set, user-agent unsigned
    assert ok.status == 200
    r = api(emu, query={'Extra': 'a b*c~/\u00e9+&='})
    assert r.status == 200, r.body  # canonical query re-encoded with RFC 3986
    r = api(emu, query={'Extra': 'x'}, tamper=lambda h: None)
    assert r.status == 200


def test_nonce_reuse(emu):
    nonce = uuid.uuid4().hex
    assert api(emu, nonce=nonce).status == 200
    r = api(emu, nonce=nonce)
    assert (r.status, r.code) == (400, 'SignatureNonceUsed')
    assert api(emu, nonce=nonce, ak=STATIC_STS[0], secret=STATIC_STS[1], token=STATIC_STS[2]).status == 200  # per key


def test_static_sts_credential_accepted(emu):
    r = api(emu, ak=STATIC_STS[0], secret=STATIC_STS[1], token=STATIC_STS[2])
    assert r.status == 200
    r = api(emu, ak=STATIC_STS[0], secret=STATIC_STS[1], token=STATIC_STS[2],
            tamper=lambda h: h.update({'x-acs-accesskey-id': 'someone-else'}))
    assert r.code == 'IncompleteSignature'


def test_clock_offset():
    with Emulator(DATA, clock_offset=3600) as server:
        assert api(server).code == 'InvalidTimeStamp.Expired'
        assert api(server, date=utc_now(3600)).status == 200
        assert api(server, date=utc_now(3600 + 14 * 60)).status == 200
        admin(server, 'POST', 'clock', {'offset': 0})
        assert api(server).status == 200


def test_legacy_rpc_signature(emu):
    r = rpc(emu, 'ListOtaTask', API_VERSION, LIST)
    assert r.status == 200 and r.json['TotalCount'] == 4
    assert rpc(emu, 'ListOtaTask', API_VERSION, LIST, sign_secret='wrong').code == 'SignatureDoesNotMatch'
    assert rpc(emu, 'ListOtaTask', API_VERSION, LIST, ak='AK-NOPE').code == 'InvalidAccessKeyId.NotFound'
    r = rpc(emu, 'ListOtaTask', API_VERSION, LIST, ak=STATIC_STS[0], secret=STATIC_STS[1], token=STATIC_STS[2])
    assert r.status == 200
    r = rpc(emu, 'ListOtaTask', API_VERSION, LIST, ak=STATIC_STS[0], secret=STATIC_STS[1])
    assert r.code == 'MissingSecurityToken'
    assert rpc(emu, 'ListOtaTask', '2015-04-01', LIST).code == 'InvalidVersion'
    # the quote_plus variant is accepted for AssumeRole only (what alibabacloud-credentials sends)
    spaced = dict(LIST, AppInstanceGroupId='aig 1')
    assert rpc(emu, 'ListOtaTask', API_VERSION, spaced, encoder=lambda v: quote_plus(str(v), safe='')).code == 'SignatureDoesNotMatch'


# --------------------------------------------------------------------------- STS AssumeRole

ASSUME = {'RoleArn': ROLE, 'RoleSessionName': 'unit-test', 'DurationSeconds': '900'}


def test_assume_role_v3_and_issued_credentials(emu):
    r = api(emu, ASSUME, action='AssumeRole', version=STS_VERSION, query={'Policy': '{"Version": "1"}'})
    assert r.status == 200, r.body
    creds = r.json['Credentials']
    assert creds['AccessKeyId'].startswith('STS.') and len(creds['SecurityToken']) > 100
    expiration = datetime.strptime(creds['Expiration'], '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=timezone.utc)
    assert abs((expiration - datetime.now(timezone.utc)).total_seconds() - 900) < 5
    assert r.json['AssumedRoleUser']['Arn'] == 'acs:ram::1234567890123456:assumed-role/ota-reader/unit-test'
    sts = {'ak': creds['AccessKeyId'], 'secret': creds['AccessKeySecret']}
    assert api(emu, token=creds['SecurityToken'], **sts).status == 200
    assert api(emu, **sts).code == 'MissingSecurityToken'
    assert api(emu, token='x' + creds['SecurityToken'], **sts).code == 'InvalidSecurityToken.Mismatch'
    emu.clock_offset = 901  # the issued token is now past its Expiration
    assert api(emu, token=creds['SecurityToken'], date=utc_now(901), **sts).code == 'InvalidSecurityToken.Expired'


def test_assume_role_legacy_get_with_quote_plus(emu):
    params = dict(ASSUME, Policy='{"Statement": [{"Effect": "Allow"}], "Version": "1"}')
    r = rpc(emu, 'AssumeRole', STS_VERSION, params, method='GET', encoder=lambda v: quote_plus(str(v), safe=''))
    assert r.status == 200, r.body
    r = rpc(emu, 'AssumeRole', STS_VERSION, params, method='GET')
    assert r.status == 200, r.body
    r = rpc(emu, 'AssumeRole', STS_VERSION, params, method='GET', sign_secret='nope')
    assert r.code == 'SignatureDoesNotMatch' and r.json['HostId'] == 'sts.aliyuncs.com'


@pytest.mark.parametrize('override,status,code', [
    ({'RoleArn': 'arn:aws:iam::1:role/x'}, 400, 'InvalidParameter.RoleArn'),
    ({'RoleArn': 'acs:ram::1234567890123456:role/missing'}, 404, 'EntityNotExist.Role'),
    ({'RoleArn': OTHER_ROLE}, 403, 'NoPermission'),
    ({'RoleSessionName': 'a'}, 400, 'InvalidParameter.RoleSessionName'),
    ({'RoleSessionName': 'x' * 65}, 400, 'InvalidParameter.RoleSessionName'),
    ({'RoleSessionName': 'bad name'}, 400, 'InvalidParameter.RoleSessionName'),
    ({'DurationSeconds': '899'}, 400, 'InvalidParameter.DurationSeconds'),
    ({'DurationSeconds': '3601'}, 400, 'InvalidParameter.DurationSeconds'),
    ({'RoleArn': ''}, 400, 'MissingParameter'),
])
def test_assume_role_errors(emu, override, status, code):
    r = api(emu, dict(ASSUME, **override), action='AssumeRole', version=STS_VERSION)
    assert (r.status, r.code) == (status, code)
    assert r.json['Recommend'].startswith('https://api.aliyun.com/troubleshoot?q=%s&product=Sts&' % code)


# --------------------------------------------------------------------------- scenario clock

def test_timeline_and_appear_after(emu):
    clock = [1000.0]
    emu._now = lambda: clock[0]
    emu.load(DATA)

    def listing():
        body = api(emu).json
        return body['TotalCount'], [(t['TaskId'], t['TaskDisplayStatus']) for t in body['TaskList'][:2]]

    assert listing() == (4, [('ota-t1', 'STANDBY'), ('ota-f1', 'FINISHED')])
    clock[0] += 2
    assert listing() == (4, [('ota-t1', 'RUNNING'), ('ota-f1', 'FINISHED')])
    clock[0] += 2
    assert listing() == (5, [('ota-new', 'RUNNING'), ('ota-t1', 'RUNNING')])
    emu.advance(2)
    assert listing() == (5, [('ota-new', 'RUNNING'), ('ota-t1', 'FINISHED')])
    admin(emu, 'POST', 'clock', {'advance': 2})
    assert listing() == (5, [('ota-new', 'FINISHED'), ('ota-t1', 'FINISHED')])
    emu.load(DATA)  # the clock restarts
    assert listing() == (4, [('ota-t1', 'STANDBY'), ('ota-f1', 'FINISHED')])


def test_insert_task(emu):
    task = emu.insert_task('aig-1')
    assert task['TaskDisplayStatus'] == 'RUNNING' and emu.tasks('aig-1')[0] == task
    custom = emu.insert_task('aig-1', {'TaskId': 'ota-mine', 'TaskDisplayStatus': 'STANDBY'})
    assert emu.tasks('aig-1')[0] == custom and custom['TaskId'] == 'ota-mine'
    with pytest.raises(KeyError):
        emu.insert_task('aig-nope')
    with pytest.raises(ValueError):
        emu.insert_task('aig-1', {'TaskId': 'ota-mine'})
    with pytest.raises(KeyError):
        emu.tasks('aig-nope')


def _one_task(**fields):
    task = {'TaskId': 'a', 'OtaVersion': 'v', 'TaskStartTime': '2024-01-01T00:00:00Z', 'TaskDisplayStatus': 'FINISHED'}
    task.update(fields)
    return {'groups': {'g': {'tasks': [{k: v for k, v in task.items() if v is not None}]}}}


@pytest.mark.parametrize('data,needle', [
    (_one_task(TaskId=None), 'TaskId'),
    (_one_task(TaskStartTime='2024-01-01T00:00:00'), 'offset'),
    (_one_task(TaskStartTime='yesterday'), 'ISO 8601'),
    (_one_task(TaskDisplayStatus='DONE'), 'DONE'),
    (_one_task(TaskDisplayStatus=None), 'TaskDisplayStatus or timeline'),
    (_one_task(timeline=[[-1, 'RUNNING']]), 'seconds'),
    (_one_task(starts_in=60), 'TaskStartTime or starts_in, not both'),
    (_one_task(TaskStartTime=None, starts_in=-1), 'starts_in must be a number >= 0'),
    (_one_task(colour='red'), 'colour'),
    (dict(_one_task(), accounts=[{'access_key_id': 'a'}]), 'access_key_secret'),
    (dict(_one_task(), accounts=[{'access_key_id': 'a', 'access_key_secret': 's', 'roles': ['role/x']}]), 'role'),
    ({'groups': {'g': {'generate': {'count': -1}}}}, 'count'),
    ({'groups': {'g': {'generate': {'count': 2}}}, 'extra': 1}, 'extra'),
    ([], 'object'),
    (None, 'duplicate TaskId'),
])
def test_bad_scenarios_are_rejected(data, needle):
    if data is None:  # the generated ids are deterministic: a clash with an explicit task is reported
        first = emulator_mod.parse_scenario({'groups': {'g': {'generate': {'count': 2}}}}).groups['g'][0].task_id
        data = _one_task(TaskId=first)
        data['groups']['g']['generate'] = {'count': 2}
    with pytest.raises(ValueError, match=needle):
        emulator_mod.parse_scenario(data)


# --------------------------------------------------------------------------- faults

def test_every_and_schedule_faults(emu):
    emu.set_faults({'every': {'throttle': 2}, 'schedule': {'4': 'http500'}, 'retry_after_ms': 200})
    results = [api(emu) for _attempt in range(6)]
    assert [r.status for r in results] == [200, 400, 200, 500, 200, 400]
    assert results[1].code == 'Throttling.User' and results[1].headers['x-acs-retry-after'] == '200'
    assert results[1].json['Message'] == 'Request was denied due to user flow control.'
    assert results[3].code == 'InternalError'
    assert emu.stats()['faults_injected'] == {'throttle': 2, 'http500': 1}


def test_faults_fire_before_authentication(emu):
    emu.set_faults({'every': {'http503': 1}})
    r = api(emu, secret='wrong')
    assert (r.status, r.code) == (503, 'ServiceUnavailable')


@pytest.mark.parametrize('kind,status,code', [
    ('throttle_api', 400, 'Throttling.Api'), ('http500', 500, 'InternalError'), ('http503', 503, 'ServiceUnavailable'),
])
def test_json_error_faults(emu, kind, status, code):
    emu.set_faults({'every': {kind: 1}})
    r = api(emu)
    assert (r.status, r.code) == (status, code) and set(r.json) == ERROR_KEYS


def test_html502_fault(emu):
    emu.set_faults({'schedule': {'1': 'html502'}})
    r = api(emu)
    assert r.status == 502 and r.headers['content-type'].startswith('text/html') and r.body.startswith(b'<html>')
    assert api(emu).status == 200


def test_reset_fault(emu):
    emu.set_faults({'schedule': {'1': 'reset'}})
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        api(emu)
    assert api(emu).status == 200
    stats = emu.stats()
    assert stats['faults_injected'] == {'reset': 1} and stats['log'][0]['status'] is None


def test_malformed_and_badshape_faults(emu):
    emu.set_faults({'schedule': {'1': 'malformed', '2': 'badshape'}})
    r = api(emu)
    assert r.status == 200
    with pytest.raises(ValueError):
        json.loads(r.body)
    body = api(emu).json
    assert body['TotalCount'] == '4' and 'TaskId' not in body['TaskList'][0]
    assert emu.stats()['ok_calls'] == {}


def test_hang_fault_does_not_block_others_or_shutdown():
    server = Emulator(DATA, faults={'schedule': {'1': 'hang'}, 'hang_seconds': 0.5}).start()
    try:
        results = {}
        slow = threading.Thread(target=lambda: results.update(slow=api(server)))
        start = time.monotonic()
        slow.start()
        time.sleep(0.1)
        fast = api(server)
        assert fast.status == 200 and time.monotonic() - start < 0.45
        slow.join(5)
        assert results['slow'].status == 200 and time.monotonic() - start >= 0.5
        server.set_faults({'schedule': {'1': 'hang'}, 'hang_seconds': 30})
        stuck = threading.Thread(target=lambda: results.update(stuck=_swallow(api, server)), daemon=True)
        stuck.start()
        time.sleep(0.2)
    finally:
        start = time.monotonic()
        server.stop()
    assert time.monotonic() - start < 3
    stuck.join(3)
    assert not stuck.is_alive()


def _swallow(func, *args):
    try:
        return func(*args)
    except (OSError, http.client.HTTPException) as exc:
        return exc


def test_insert_head_fault(emu):
    emu.set_faults({'schedule': {'2': 'insert_head'}})
    first = api(emu).json
    second = api(emu).json
    assert second['TotalCount'] == first['TotalCount'] + 1
    assert second['TaskList'][0]['TaskDisplayStatus'] == 'RUNNING'
    assert second['TaskList'][1:] == first['TaskList'][:len(second['TaskList']) - 1]


def test_a_group_not_found_from_its_nth_listing_and_back_later(emu):
    """faults.not_found: the group answers InvalidAppInstanceGroup.NotFound from its 2nd ListOtaTask request to its 3rd
    (a deleted group); other groups and other requests are untouched; numbering restarts with the faults."""
    emu.set_faults({'not_found': {'aig-1': {'from': 2, 'to': 3}}})
    assert emu.faults()['not_found'] == {'aig-1': {'from': 2, 'to': 3}}
    other = dict(LIST, AppInstanceGroupId='aig-empty')
    answers = [(api(emu).code, api(emu, other).code) for _poll in range(5)]
    assert answers == [(None, None), ('InvalidAppInstanceGroup.NotFound', None), ('InvalidAppInstanceGroup.NotFound', None),
                       (None, None), (None, None)]
    gone = api(emu.set_faults({'not_found': {'aig-1': {'from': 1}}}) or emu)
    assert (gone.status, gone.code) == (400, 'InvalidAppInstanceGroup.NotFound') and ERROR_KEYS <= set(gone.json)
    assert all(api(emu).code == 'InvalidAppInstanceGroup.NotFound' for _poll in range(3))   # for good without 'to'
    stats = emu.stats()
    assert stats['faults_injected']['not_found'] == 6 and stats['error_codes']['InvalidAppInstanceGroup.NotFound'] == 6


def test_bad_fault_specs(emu):
    for spec in ({'every': {'explode': 1}}, {'every': {'throttle': 0}}, {'schedule': {'x': 'hang'}}, {'other': 1},
                 {'not_found': []}, {'not_found': {'aig-1': {}}}, {'not_found': {'aig-1': {'from': 0}}},
                 {'not_found': {'aig-1': {'from': 3, 'to': 2}}}, {'not_found': {'aig-1': {'from': 1, 'gone': True}}}):
        with pytest.raises(ValueError):
            emu.set_faults(spec)


# --------------------------------------------------------------------------- limits, latency, stats

def test_rate_limit():
    with Emulator(DATA, rate_limit=2, faults={'retry_after_ms': 150}) as server:
        results = [api(server) for _attempt in range(8)]
        assert [r.status for r in results[:2]] == [200, 200]
        throttled = [r for r in results if r.status == 400]
        assert len(throttled) >= 4 and all(r.code == 'Throttling.User' for r in throttled)
        assert throttled[0].headers['x-acs-retry-after'] == '150'
        assert server.stats()['throttled_by_limit']['rate_limit'] == len(throttled)


def test_qps_is_a_quota_per_access_key_answered_like_the_gateway():
    """--qps N: each AccessKey gets N requests per second (burst N); above it 400 Throttling.User, after the latency."""
    with Emulator(DATA, qps=3, latency_ms=100) as server:
        started = time.monotonic()
        results = [api(server) for _attempt in range(5)]
        assert time.monotonic() - started >= 0.5          # every answer, throttled ones too, after the latency
        assert [r.status for r in results[:3]] == [200, 200, 200]
        throttled = [r for r in results if r.status == 400]
        assert throttled and all(r.code == 'Throttling.User' for r in throttled)
        assert set(throttled[0].json) == ERROR_KEYS and throttled[0].json['Message'] == 'Request was denied due to user flow control.'
        assert 'x-acs-retry-after' not in throttled[0].headers
        other = api(server, ak='AK-OTHER', secret='other-secret')   # another key has a bucket of its own
        assert other.status == 200
        legacy = rpc(server, 'ListOtaTask', API_VERSION, LIST, ak='AK-OTHER', secret='other-secret')   # the same key, signed RPC-style
        assert legacy.status == 200
        stats = server.stats()
        assert stats['throttled_by_limit'] == {'qps': len(throttled)} and stats['ok_calls'] == {'ListOtaTask': 5 - len(throttled) + 2}
        assert stats['faults_injected'] == {}


def test_qps_refills_at_its_rate_and_a_refused_request_takes_no_token():
    with Emulator(DATA, qps=5, faults={'retry_after_ms': 200}) as server:
        assert [api(server).status for _attempt in range(5)] == [200] * 5
        refused = api(server)
        assert refused.status == 400 and refused.headers['x-acs-retry-after'] == '200'
        time.sleep(0.25)                                   # a little more than one token
        assert api(server).status == 200
        assert Emulator(DATA).qps == 0 and server.qps == 5
    with pytest.raises(ValueError, match='qps'):
        Emulator(DATA, qps=-1)


def test_cli_qps(tmp_path):
    data_file = tmp_path / 'data.json'
    data_file.write_text(json.dumps(DATA))
    proc = _cli('--data', str(data_file), '--qps', '2', '--max-seconds', '20')
    try:
        ready = json.loads(proc.stdout.readline())

        class Remote:
            host, port, host_port = '127.0.0.1', ready['port'], '127.0.0.1:%d' % ready['port']
        assert [api(Remote).status for _attempt in range(3)] == [200, 200, 400]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)


def _concurrently(server, n, **kwargs):
    barrier = threading.Barrier(n)
    out = [None] * n

    def worker(i):
        barrier.wait()
        out[i] = api(server, **kwargs)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return out


def test_max_in_flight_and_latency_overlap():
    with Emulator(DATA, max_in_flight=2, latency_ms=600) as server:
        results = _concurrently(server, 5)
        assert sorted(r.status for r in results) == [200, 200, 400, 400, 400]
        stats = server.stats()
        assert stats['max_in_flight'] == 2 and stats['in_flight'] == 0
        assert stats['error_codes'] == {'Throttling.User': 3}
    with Emulator(DATA, latency_ms=400) as server:
        start = time.monotonic()
        assert [r.status for r in _concurrently(server, 4)] == [200] * 4
        assert time.monotonic() - start < 1.2  # sequential would take 1.6 s
        assert server.stats()['max_in_flight'] >= 2


def test_stats_and_no_secrets(capsys):
    with Emulator(DATA, verbose=True) as server:
        api(server)
        api(server, dict(LIST, AppInstanceGroupId='aig-big', PageNumber='2', PageSize='100'))
        api(server, secret='wrong')
        r = api(server, ASSUME, action='AssumeRole', version=STS_VERSION)
        creds = r.json['Credentials']
        api(server, ak=creds['AccessKeyId'], secret=creds['AccessKeySecret'], token=creds['SecurityToken'])
        rpc(server, 'ListOtaTask', API_VERSION, LIST, ak=STATIC_STS[0], secret=STATIC_STS[1], token=STATIC_STS[2])
        admin(server, 'GET', 'health')
        stats = server.stats()
        assert stats['requests'] == 6
        assert stats['calls'] == {'ListOtaTask': 5, 'AssumeRole': 1}
        assert stats['ok_calls'] == {'ListOtaTask': 4, 'AssumeRole': 1}
        assert stats['list_calls_by_group'] == {'aig-1': 4, 'aig-big': 1}
        assert stats['status_codes'] == {'200': 5, '400': 1}
        assert stats['error_codes'] == {'SignatureDoesNotMatch': 1}
        assert stats['log'][1] == {'action': 'ListOtaTask', 'group': 'aig-big', 'page_number': 2, 'page_size': 100,
                                   'status': 200, 'code': None, 'fault': None}
        dumped = json.dumps(stats)
        stats['log'].clear()
        assert server.stats()['log'], 'stats() must return a copy'
        server.reset_stats()
        assert server.stats()['requests'] == 0
    dumped += capsys.readouterr().err
    for secret in (SECRET, STATIC_STS[1], STATIC_STS[2], creds['AccessKeySecret'], creds['SecurityToken'],
                   'Signature=', 'Credential=', 'ACS3-HMAC'):
        assert secret not in dumped


# --------------------------------------------------------------------------- admin endpoints

def test_admin_endpoints(emu):
    health = admin(emu, 'GET', 'health')
    assert health.status == 200 and health.json['status'] == 'ok' and 'aig-1' in health.json['groups']
    api(emu)
    assert admin(emu, 'GET', 'stats').json['calls'] == {'ListOtaTask': 1}
    assert admin(emu, 'POST', 'reset').status == 200 and emu.stats()['requests'] == 0
    assert admin(emu, 'POST', 'faults', {'every': {'http500': 1}}).status == 200
    assert api(emu).status == 500
    assert admin(emu, 'POST', 'faults', {'every': {'nope': 1}}).status == 400
    assert admin(emu, 'POST', 'faults', {}).status == 200 and api(emu).status == 200
    inserted = admin(emu, 'POST', 'insert', {'group': 'aig-1'}).json['task']
    tasks = admin(emu, 'GET', 'tasks?group=aig-1').json
    assert tasks['TaskList'][0] == inserted and tasks['TotalCount'] == 5
    assert admin(emu, 'POST', 'insert', {'group': 'aig-nope'}).status == 404
    assert admin(emu, 'GET', 'tasks?group=aig-nope').status == 404
    assert admin(emu, 'GET', 'tasks').status == 400
    new = {'groups': {'aig-x': {'tasks': []}}}
    assert admin(emu, 'POST', 'scenario', new).json['groups'] == ['aig-x']
    r = api(emu, dict(LIST, AppInstanceGroupId='aig-x'), ak='EMULATOR-AK-0000', secret='emulator-secret-0000')
    assert r.json['TotalCount'] == 0  # "accounts" omitted: the built-in demo account
    bad = admin(emu, 'POST', 'scenario', {'groups': {'g': {'tasks': [{}]}}})
    assert bad.status == 400 and 'TaskId' in bad.json['error']
    assert http_call(emu, 'POST', '/__emulator/scenario', {}, b'{not json').status == 400
    assert admin(emu, 'GET', 'nothing').status == 404
    assert emu.stats()['requests'] == 3  # admin calls are not counted


def test_loopback_only():
    for host in ('0.0.0.0', '192.168.1.10', '::', 'example.com'):
        with pytest.raises(ValueError):
            Emulator(DATA, host=host)


def test_ipv6_loopback():
    if not socket.has_ipv6:
        pytest.skip('no IPv6')
    try:
        server = Emulator(DATA, host='::1').start()
    except OSError:
        pytest.skip('::1 cannot be bound here')
    try:
        assert server.endpoint == 'http://[::1]:%d' % server.port
        assert api(server).status == 200
    finally:
        server.stop()


# --------------------------------------------------------------------------- TLS

def test_tls(tmp_path):
    certfile, keyfile = emulator_mod.make_self_signed_cert(str(tmp_path))
    context = ssl.create_default_context(cafile=certfile)
    with Emulator(DATA, certfile=certfile, keyfile=keyfile) as server:
        assert server.endpoint.startswith('https://127.0.0.1:')
        assert api(server, context=context).status == 200
        with pytest.raises(ssl.SSLError):
            api(server, context=ssl.create_default_context())  # not trusted without the CA file
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            http_call(server, 'GET', '/__emulator/health')  # plain HTTP to a TLS port
        assert api(server, context=context).status == 200


# --------------------------------------------------------------------------- CLI

def _cli(*args, **kwargs):
    env = {'PATH': os.environ.get('PATH', ''), 'HOME': os.environ.get('HOME', '/tmp'), 'PYTHONDONTWRITEBYTECODE': '1'}
    return subprocess.Popen([sys.executable, str(EMULATOR_PATH)] + list(args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, **kwargs)


def test_cli_start_ready_line_and_sigterm(tmp_path):
    data_file = tmp_path / 'data.json'
    data_file.write_text(json.dumps(DATA))
    ready_file = tmp_path / 'ready.json'
    proc = _cli('--data', str(data_file), '--ready-file', str(ready_file), '--fault', 'throttle:3',
                '--fault', 'http500@1', '--retry-after-ms', '100', '--verbose')
    try:
        line = proc.stdout.readline()
        ready = json.loads(line)
        assert set(ready) == {'endpoint', 'port', 'sts_endpoint'}
        assert ready['endpoint'] == ready['sts_endpoint'] == 'http://127.0.0.1:%d' % ready['port']
        assert json.loads(ready_file.read_text()) == ready

        class Remote:
            host, port, host_port = '127.0.0.1', ready['port'], '127.0.0.1:%d' % ready['port']
        faults = admin(Remote, 'GET', 'faults').json
        assert faults['every'] == {'throttle': 3} and faults['schedule'] == {'1': 'http500'} and faults['retry_after_ms'] == 100
        assert [api(Remote).status for _attempt in range(3)] == [500, 200, 400]
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0 and out == ''
    assert err.count('ListOtaTask') == 3 and 'Traceback' not in err and SECRET not in err


def test_cli_max_seconds():
    proc = _cli('--max-seconds', '0.5')
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and json.loads(out)['port'] > 0, err


@pytest.mark.parametrize('content,needle', [
    ('{"groups": ', 'invalid JSON'),
    ('{"groups": {"g": {"tasks": [{"TaskId": "a"}]}}}', 'OtaVersion'),
    (None, 'No such file'),
])
def test_cli_bad_data_file(tmp_path, content, needle):
    path = tmp_path / 'bad.json'
    if content is not None:
        path.write_text(content)
    proc = _cli('--data', str(path))
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 2 and out == ''
    assert len(err.strip().splitlines()) == 1 and str(path) in err and needle in err and 'Traceback' not in err


def test_cli_rejects_non_loopback_and_bad_fault():
    proc = _cli('--host', '0.0.0.0')
    err = proc.communicate(timeout=10)[1]
    assert proc.returncode == 2 and 'loopback' in err
    proc = _cli('--fault', 'explode:1')
    err = proc.communicate(timeout=10)[1]
    assert proc.returncode == 2 and 'explode' in err


# ----------------------------------------------------------------------- OTA lifecycle (docs/api-contract.md section 6)

V1, V2, V3 = '0.0.1-R-20250101.000000', '0.0.2-R-20250601.000000', '0.0.3-R-20261110.101500'
NOTE = '1. 修复了多显示器问题。\n2. Faster reconnect.'
OTA_DATA = {
    'accounts': DATA['accounts'],
    'release_notes': {V2: 'notes of 0.0.2'},
    'groups': {
        'aig-p': {'name': 'Office-Apps-SH-01', 'gmt_create': '2025-01-03T10:00:00.000+08:00',
                  'tasks': [{'TaskId': 'ota-p1', 'OtaVersion': V2, 'TaskStartTime': '2025-06-03T10:00:00+08:00',
                             'TaskDisplayStatus': 'FINISHED'},
                            {'TaskId': 'ota-p0', 'OtaVersion': V1, 'TaskStartTime': '2025-01-03T10:00:00+08:00',
                             'TaskDisplayStatus': 'FINISHED'}],
                  'ota': {'new_ota_version': V3, 'task_id': 'ota-pending-p', 'release_note': NOTE}},
        'aig-q': {'name': 'office-apps-sh-02', 'gmt_create': '2025-01-02T10:00:00.000+08:00',
                  'ota': {'ota_version': V2, 'new_ota_version': V3,
                          'run': [[[0, 'RUNNING'], [5, 'FAILED']], [[0, 'RUNNING'], [5, 'FINISHED']]]}},
        'aig-u': {'name': 'design-sh', 'status': 'MAINTAINING', 'gmt_create': '2025-01-01T10:00:00.000+08:00',
                  'tasks': [{'TaskId': 'ota-u2', 'OtaVersion': V3, 'TaskStartTime': '2026-11-12T10:00:00+08:00',
                             'TaskDisplayStatus': 'FINISHED'},
                            {'TaskId': 'ota-u1', 'OtaVersion': V3, 'TaskStartTime': '2026-11-11T10:00:00+08:00',
                             'TaskDisplayStatus': 'FAILED'}]},
        'aig-r': {'name': 'busy-sh', 'gmt_create': '2024-12-01T10:00:00.000+08:00',
                  'tasks': [{'TaskId': 'ota-r2', 'OtaVersion': V3, 'TaskStartTime': '2026-11-20T10:00:00+08:00',
                             'TaskDisplayStatus': 'RUNNING'},
                            {'TaskId': 'ota-r1', 'OtaVersion': V2, 'TaskStartTime': '2025-06-03T10:00:00+08:00',
                             'TaskDisplayStatus': 'FINISHED'}]},
        'aig-sg': {'name': 'office-apps-sg-01', 'region_id': 'ap-southeast-1', 'gmt_create': '2025-02-01T10:00:00.000+08:00',
                   'ota': {'ota_version': V2, 'new_ota_version': V3}},
        'aig-droid': {'product_type': 'AndroidCloud', 'gmt_create': '2025-02-02T10:00:00.000+08:00'},
    },
}
GROUPS_QUERY = {'ProductType': 'CloudApp', 'BizRegionId': 'cn-shanghai', 'PageNumber': '1', 'PageSize': '100'}
MODEL_KEYS = {'AppInstanceGroupId', 'AppInstanceGroupName', 'RegionId', 'ProductType', 'Status', 'OsType', 'GmtCreate',
              'AppCenterImageId', 'OtaInfo'}


@pytest.fixture
def ota():
    with Emulator(OTA_DATA) as server:
        yield server


def list_groups(emu, query=None, body=None, drop=(), **kwargs):
    query = {k: v for k, v in dict(GROUPS_QUERY, **(query or {})).items() if k not in drop}
    return api(emu, body or {}, action='ListAppInstanceGroup', query=query, **kwargs)


def minutes(ts):
    return datetime.fromtimestamp(ts, timezone.utc).strftime('%Y-%m-%dT%H:%MZ')


def approve(emu, group, task_id, start=None, region='cn-shanghai', **kwargs):
    params = {'AppInstanceGroupId': group, 'BizRegionId': region, 'OtaType': 'Fota',
              'StartTime': start or minutes(emu.ota_time()), 'TaskId': task_id}
    params = {k: v for k, v in params.items() if v is not None}
    return api(emu, params, action='ApproveOtaTask', **kwargs)


def get_task(emu, task_id, **kwargs):
    return api(emu, {'TaskId': task_id}, action='GetOtaTaskByTaskId', **kwargs)


def listed(emu, group):
    r = api(emu, dict(LIST, AppInstanceGroupId=group, PageSize='100'))
    assert r.status == 200, r.body
    return r.json['TaskList']


def instant(text):
    return datetime.fromisoformat(text.replace('Z', '+00:00')).timestamp()


def test_list_groups_filters_paging_and_shape(ota):
    r = list_groups(ota)
    assert r.status == 200, r.body
    body = r.json
    assert set(body) == {'RequestId', 'TotalCount', 'PageNumber', 'PageSize', 'AppInstanceGroupModels'}
    ids = [m['AppInstanceGroupId'] for m in body['AppInstanceGroupModels']]
    assert ids == ['aig-p', 'aig-q', 'aig-u', 'aig-r'] and body['TotalCount'] == 4  # newest GmtCreate first
    model = body['AppInstanceGroupModels'][0]
    assert set(model) == MODEL_KEYS
    assert model['OtaInfo'] == {'OtaVersion': V2, 'NewOtaVersion': V3, 'TaskId': 'ota-pending-p'}
    assert (model['AppInstanceGroupName'], model['RegionId'], model['ProductType'], model['Status'], model['OsType'],
            model['GmtCreate']) == ('Office-Apps-SH-01', 'cn-shanghai', 'CloudApp', 'PUBLISHED', 'Windows',
                                    '2025-01-03T10:00:00.000+08:00')
    assert model['AppCenterImageId'].startswith('img-')
    by_id = {m['AppInstanceGroupId']: m['OtaInfo'] for m in body['AppInstanceGroupModels']}
    assert by_id['aig-u'] == {'OtaVersion': V3, 'NewOtaVersion': '', 'TaskId': 'ota-u2'}
    assert by_id['aig-r'] == {'OtaVersion': V2, 'NewOtaVersion': V3, 'TaskId': 'ota-r2'}  # in flight
    assert by_id['aig-q']['TaskId'].startswith('ota-') and by_id['aig-q']['NewOtaVersion'] == V3

    def ids_of(**kwargs):
        resp = list_groups(ota, **kwargs)
        assert resp.status == 200, resp.body
        return [m['AppInstanceGroupId'] for m in resp.json['AppInstanceGroupModels']], resp.json['TotalCount']
    assert ids_of(query={'AppInstanceGroupName': 'office-apps'}) == (['aig-p', 'aig-q'], 2)  # case-insensitive substring
    assert ids_of(query={'AppInstanceGroupId': 'aig-u'}) == (['aig-u'], 1)
    assert ids_of(query={'AppInstanceGroupId': 'aig-sg'}) == ([], 0)  # another region
    assert ids_of(query={'BizRegionId': 'ap-southeast-1'}) == (['aig-sg'], 1)
    assert ids_of(drop=('BizRegionId',), query={'PageSize': '2'}) == (['aig-sg', 'aig-p'], 5)
    assert ids_of(query={'ProductType': 'AndroidCloud'}) == (['aig-droid'], 1)
    assert ids_of(body={'Status.1': 'MAINTAINING'}) == (['aig-u'], 1)
    assert ids_of(body={'Status.1': 'PUBLISHED', 'Status.2': 'MAINTAINING'})[1] == 4
    assert ids_of(body={'Status.1': 'EXPIRED'}) == ([], 0)
    pages = [ids_of(query={'PageSize': '3', 'PageNumber': str(n)}) for n in (1, 2, 3)]
    assert pages == [(['aig-p', 'aig-q', 'aig-u'], 4), (['aig-r'], 4), ([], 4)]
    r = list_groups(ota, drop=('PageSize', 'PageNumber'))
    assert (r.json['PageSize'], r.json['PageNumber'], r.json['TotalCount']) == (20, 1, 4)


@pytest.mark.parametrize('query,drop,status,code', [
    ({}, ('ProductType',), 400, 'MissingParameter'),
    ({'ProductType': 'cloudapp'}, (), 400, 'InvalidParameter.ProductType'),
    ({'PageSize': '0'}, (), 400, 'InvalidParameter.PageSize'),
    ({'PageSize': '101'}, (), 400, 'InvalidParameter.PageSize'),
    ({'PageNumber': '0'}, (), 400, 'InvalidParameter.PageNumber'),
])
def test_list_groups_errors(ota, query, drop, status, code):
    r = list_groups(ota, query=query, drop=drop)
    assert (r.status, r.code) == (status, code) and set(r.json) == ERROR_KEYS


def test_list_groups_query_string_is_signed(ota):
    """ListAppInstanceGroup's parameters travel in the URL query: changing them breaks the signature."""
    query = sorted(GROUPS_QUERY.items())
    body = b'Status.1=PUBLISHED'
    headers = {'host': ota.host_port, 'x-acs-action': 'ListAppInstanceGroup', 'x-acs-version': API_VERSION,
               'x-acs-date': utc_now(), 'x-acs-signature-nonce': uuid.uuid4().hex,
               'content-type': 'application/x-www-form-urlencoded', 'x-acs-content-sha256': hashlib.sha256(body).hexdigest()}
    headers['Authorization'] = sign_v3('POST', query, headers, body, AK, SECRET, sorted(headers))
    tampered = dict(query, BizRegionId='ap-southeast-1')
    r = http_call(ota, 'POST', '/?' + urlencode(sorted(tampered.items()), quote_via=quote), headers, body)
    assert (r.status, r.code) == (400, 'SignatureDoesNotMatch')
    del headers['Authorization']
    headers['x-acs-signature-nonce'] = uuid.uuid4().hex
    headers['Authorization'] = sign_v3('POST', query, headers, body, AK, SECRET, sorted(headers))
    r = http_call(ota, 'POST', '/?' + urlencode(query, quote_via=quote), headers, body)
    assert r.status == 200 and r.json['TotalCount'] == 3


def test_legacy_signature_on_the_new_actions(ota):
    r = rpc(ota, 'ListAppInstanceGroup', API_VERSION, dict(GROUPS_QUERY, **{'Status.1': 'MAINTAINING'}))
    assert r.status == 200 and [m['AppInstanceGroupId'] for m in r.json['AppInstanceGroupModels']] == ['aig-u']
    assert rpc(ota, 'GetOtaTaskByTaskId', API_VERSION, {'TaskId': 'ota-pending-p'}).json['OtaVersion'] == V3
    assert rpc(ota, 'GetOtaTaskByTaskId', API_VERSION, {'TaskId': 'ota-pending-p'}, sign_secret='x').code == \
        'SignatureDoesNotMatch'


def test_get_ota_task(ota):
    r = get_task(ota, 'ota-pending-p')
    assert r.status == 200 and set(r.json) == {'RequestId', 'OtaVersion', 'ReleaseNote', 'TaskStartTime'}
    assert (r.json['OtaVersion'], r.json['ReleaseNote']) == (V3, NOTE)
    # a pending task "starts" when it was offered: here, when the scenario was loaded
    assert abs(instant(r.json['TaskStartTime']) - ota.ota_time()) < 120
    assert emulator_mod.START_TIME_RE.match(r.json['TaskStartTime'])
    r = get_task(ota, 'ota-p1')  # a history task: its start, the version's note from release_notes
    assert r.json == dict(r.json, OtaVersion=V2, ReleaseNote='notes of 0.0.2', TaskStartTime='2025-06-03T02:00Z')
    assert get_task(ota, 'ota-p0').json['ReleaseNote'] == ''
    r = get_task(ota, 'ota-nope')
    assert (r.status, r.code) == (400, 'InvalidTaskId.NotFound') and set(r.json) == ERROR_KEYS
    r = api(ota, {}, action='GetOtaTaskByTaskId')
    assert (r.status, r.code) == (400, 'MissingParameter')


def test_approve_now_runs_then_finishes(ota):
    before = ota.ota_info('aig-p')
    r = approve(ota, 'aig-p', 'ota-pending-p')
    assert r.status == 200 and r.json == {'RequestId': r.json['RequestId'], 'Code': 'success'}
    after = ota.ota_info('aig-p')
    assert after['TaskId'] != before['TaskId'] and after['NewOtaVersion'] == V3 and after['OtaVersion'] == V2
    head = listed(ota, 'aig-p')[0]
    assert (head['TaskId'], head['OtaVersion'], head['TaskDisplayStatus']) == (after['TaskId'], V3, 'RUNNING')
    assert head['TaskStartTime'].endswith('+08:00') and abs(instant(head['TaskStartTime']) - ota.ota_time()) < 120
    state = ota.ota_state('aig-p')
    assert state['approved'] and state['task'] == head and state['release_note'] == NOTE and state['attempts'] == 1
    r = get_task(ota, after['TaskId'])
    assert r.json['OtaVersion'] == V3 and r.json['TaskStartTime'] == minutes(instant(head['TaskStartTime']))
    assert get_task(ota, 'ota-pending-p').code == 'InvalidTaskId.NotFound'  # approved: that id is gone
    ota.advance(21)
    assert listed(ota, 'aig-p')[0]['TaskDisplayStatus'] == 'FINISHED'
    assert ota.ota_info('aig-p') == {'OtaVersion': V3, 'NewOtaVersion': '', 'TaskId': after['TaskId']}
    state = ota.ota_state('aig-p')
    assert state['up_to_date'] and not state['approved'] and not state['update_available']
    r = approve(ota, 'aig-p', after['TaskId'])
    assert (r.status, r.code, r.json['Message']) == (200, 'OtaTask.NoNewVersion', emulator_mod.MSG['OtaTask.NoNewVersion'])
    assert set(r.json) == {'RequestId', 'Code', 'Message'}
    assert len(listed(ota, 'aig-p')) == 3
    stats = ota.stats()
    assert stats['approvals_by_group'] == {'aig-p': 1}
    entry, = stats['approval_log']   # when the approval took effect and when its task ended (20 s of run), lifecycle clock
    assert (entry['group'], entry['task_id'], entry['action']) == ('aig-p', after['TaskId'], 'approved')
    assert entry['starts_at'] == entry['approved_at'] and entry['ends_at'] == entry['starts_at'] + 20
    assert stats['refused_approvals_by_group'] == {'aig-p': {'OtaTask.NoNewVersion': 1}}
    assert stats['error_codes'] == {'InvalidTaskId.NotFound': 1, 'OtaTask.NoNewVersion': 1}
    assert stats['ok_calls']['ApproveOtaTask'] == 1 and stats['calls']['ApproveOtaTask'] == 2


def test_future_start_is_standby_reschedule_running(ota):
    pending = ota.ota_info('aig-q')['TaskId']
    start = minutes(ota.ota_time() + 7200)
    assert approve(ota, 'aig-q', pending, start).json['Code'] == 'success'
    first = ota.ota_info('aig-q')['TaskId']
    task = listed(ota, 'aig-q')[0]
    assert (task['TaskId'], task['TaskDisplayStatus']) == (first, 'STANDBY')
    assert instant(task['TaskStartTime']) == instant(start) and task['TaskStartTime'].endswith('+08:00')
    assert ota.ota_state('aig-q')['approved']
    assert approve(ota, 'aig-q', pending, start).code == 'InvalidTaskId.NotFound'  # stale: the id changed
    later = minutes(ota.ota_time() + 3 * 3600)
    r = approve(ota, 'aig-q', first, later)  # approve again while STANDBY: reschedule
    assert r.json['Code'] == 'success'
    second = ota.ota_info('aig-q')['TaskId']
    tasks = listed(ota, 'aig-q')
    assert second != first and [t['TaskId'] for t in tasks] == [second]  # the old task disappeared
    assert instant(tasks[0]['TaskStartTime']) == instant(later) and tasks[0]['TaskDisplayStatus'] == 'STANDBY'
    assert get_task(ota, first).code == 'InvalidTaskId.NotFound'
    ota.advance(instant(later) - ota.ota_time() - 30)
    assert listed(ota, 'aig-q')[0]['TaskDisplayStatus'] == 'STANDBY'
    ota.advance(31)
    assert listed(ota, 'aig-q')[0]['TaskDisplayStatus'] == 'RUNNING'  # the rescheduled task kept run[0]
    r = approve(ota, 'aig-q', second)
    assert (r.status, r.code, r.json['Message']) == (200, 'OtaTask.Running', 'The task is running and cannot be sumitted.')
    ota.advance(5)
    assert listed(ota, 'aig-q')[0]['TaskDisplayStatus'] == 'FAILED'
    stats = ota.stats()
    assert stats['approvals_by_group'] == {'aig-q': 2} and stats['reschedules_by_group'] == {'aig-q': 1}
    assert stats['refused_approvals_by_group'] == {'aig-q': {'InvalidTaskId.NotFound': 1, 'OtaTask.Running': 1}}


def test_failed_run_reoffers_a_fresh_task_and_the_next_timeline_applies(ota):
    pending = ota.ota_info('aig-q')['TaskId']
    approve(ota, 'aig-q', pending)
    attempt = ota.ota_info('aig-q')['TaskId']
    ota.advance(6)
    info = ota.ota_info('aig-q')
    assert info['NewOtaVersion'] == V3 and info['OtaVersion'] == V2
    assert info['TaskId'] not in (pending, attempt)
    assert [(t['TaskId'], t['TaskDisplayStatus']) for t in listed(ota, 'aig-q')] == [(attempt, 'FAILED')]
    r = get_task(ota, info['TaskId'])
    assert r.json['OtaVersion'] == V3 and abs(instant(r.json['TaskStartTime']) - ota.ota_time()) < 120
    assert approve(ota, 'aig-q', attempt).code == 'InvalidTaskId.NotFound'
    assert approve(ota, 'aig-q', info['TaskId']).json['Code'] == 'success'
    retry = ota.ota_info('aig-q')['TaskId']
    ota.advance(6)
    assert [t['TaskDisplayStatus'] for t in listed(ota, 'aig-q')] == ['FINISHED', 'FAILED']
    assert ota.ota_info('aig-q') == {'OtaVersion': V3, 'NewOtaVersion': '', 'TaskId': retry}


def test_running_history_task_and_region_checks(ota):
    r = approve(ota, 'aig-r', 'ota-r2')
    assert (r.status, r.code) == (200, 'OtaTask.Running')
    assert approve(ota, 'aig-u', 'ota-u2').code == 'OtaTask.NoNewVersion'
    r = approve(ota, 'aig-sg', ota.ota_info('aig-sg')['TaskId'])  # BizRegionId defaults to cn-shanghai here
    assert (r.status, r.code) == (400, 'InvalidAppInstanceGroup.NotFound') and 'ap-southeast-1' not in r.json['Message']
    assert approve(ota, 'aig-sg', ota.ota_info('aig-sg')['TaskId'], region='ap-southeast-1').json['Code'] == 'success'
    assert approve(ota, 'aig-nope', 'ota-x').code == 'InvalidAppInstanceGroup.NotFound'
    assert ota.stats()['approvals_by_group'] == {'aig-sg': 1}


@pytest.mark.parametrize('override,code', [
    ({'AppInstanceGroupId': None}, 'MissingParameter'),
    ({'BizRegionId': None}, 'MissingParameter'),
    ({'OtaType': None}, 'MissingParameter'),
    ({'StartTime': None}, 'MissingParameter'),
    ({'TaskId': None}, 'MissingParameter'),
    ({'OtaType': 'fota'}, 'InvalidParameter.OtaType'),
    ({'StartTime': '2026-11-30T06:00:00Z'}, 'InvalidParameter.StartTime'),
    ({'StartTime': '2026-11-30T06:00+08:00'}, 'InvalidParameter.StartTime'),
    ({'StartTime': '2026-11-30 06:00Z'}, 'InvalidParameter.StartTime'),
    ({'StartTime': '2026-13-30T06:00Z'}, 'InvalidParameter.StartTime'),
    ({'StartTime': 'now'}, 'InvalidParameter.StartTime'),
    ({'AppInstanceGroupId': 'aig-nope'}, 'InvalidAppInstanceGroup.NotFound'),
    ({'BizRegionId': 'ap-southeast-1'}, 'InvalidAppInstanceGroup.NotFound'),
    ({'TaskId': 'ota-p1'}, 'InvalidTaskId.NotFound'),
])
def test_approve_bad_input_is_http_400(ota, override, code):
    params = {'AppInstanceGroupId': 'aig-p', 'BizRegionId': 'cn-shanghai', 'OtaType': 'Fota',
              'StartTime': minutes(ota.ota_time()), 'TaskId': 'ota-pending-p'}
    params.update(override)
    r = api(ota, {k: v for k, v in params.items() if v is not None}, action='ApproveOtaTask')
    assert (r.status, r.code) == (400, code) and set(r.json) == ERROR_KEYS
    assert ota.ota_info('aig-p')['TaskId'] == 'ota-pending-p' and ota.stats()['approvals_by_group'] == {}


def test_start_time_is_compared_with_the_server_clock():
    with Emulator(OTA_DATA, clock_offset=3600) as server:  # the server clock is an hour fast
        start = minutes(time.time() + 1800)  # future for the client, past for the server
        assert approve(server, 'aig-p', 'ota-pending-p', start, date=utc_now(3600)).json['Code'] == 'success'
        assert listed_at(server, 'aig-p')[0]['TaskDisplayStatus'] == 'RUNNING'
        pending = server.ota_info('aig-q')['TaskId']
        start = minutes(time.time() + 3600 + 600)
        assert approve(server, 'aig-q', pending, start, date=utc_now(3600)).json['Code'] == 'success'
        assert listed_at(server, 'aig-q')[0]['TaskDisplayStatus'] == 'STANDBY'
        server.advance(instant(start) - server.ota_time() - 30)
        assert listed_at(server, 'aig-q')[0]['TaskDisplayStatus'] == 'STANDBY'
        server.advance(31)
        assert listed_at(server, 'aig-q')[0]['TaskDisplayStatus'] == 'RUNNING'


def listed_at(server, group):
    return api(server, dict(LIST, AppInstanceGroupId=group), date=utc_now(server.clock_offset)).json['TaskList']


def test_lifecycle_follows_a_replaced_monotonic_clock():
    server = Emulator(OTA_DATA)
    fake = [1000.0]
    server._now = lambda: fake[0]  # pylint: disable=protected-access
    server.load(OTA_DATA)
    with server:
        assert approve(server, 'aig-p', 'ota-pending-p').json['Code'] == 'success'
        fake[0] += 19
        assert server.ota_state('aig-p')['approved']
        fake[0] += 2
        assert server.ota_state('aig-p')['up_to_date']


def _ota_group(**ota):
    return {'groups': {'g': {'tasks': [
        {'TaskId': 'ota-2', 'OtaVersion': 'v2', 'TaskStartTime': '2024-01-02T00:00:00Z', 'TaskDisplayStatus': 'FAILED'},
        {'TaskId': 'ota-1', 'OtaVersion': 'v1', 'TaskStartTime': '2024-01-01T00:00:00Z', 'TaskDisplayStatus': 'FINISHED'}],
        'ota': ota}}}


def test_ota_defaults_follow_the_history():
    info = emulator_mod.parse_scenario(_ota_group()).infos['g']
    assert (info.ota_version, info.new_ota_version) == ('v1', 'v2')  # the failed version is still on offer
    assert info.pending_id.startswith('ota-') and info.pending_id not in ('ota-1', 'ota-2')
    info = emulator_mod.parse_scenario(_ota_group(ota_version='v2', new_ota_version='')).infos['g']
    assert (info.ota_version, info.new_ota_version, info.pending_id) == ('v2', '', None)
    data = _ota_group()
    data['groups']['g']['tasks'][0]['TaskDisplayStatus'] = 'STANDBY'
    info = emulator_mod.parse_scenario(data).infos['g']
    assert info.active.task_id == 'ota-2' and info.new_ota_version == 'v2' and info.pending_id is None
    info = emulator_mod.parse_scenario({'groups': {'g': {}}}).infos['g']
    assert (info.name, info.region_id, info.status, info.product_type, info.os_type, info.ota_version,
            info.new_ota_version) == ('g', 'cn-shanghai', 'PUBLISHED', 'CloudApp', 'Windows', '', '')
    assert info.runs == (emulator_mod.DEFAULT_RUN,)
    runs = emulator_mod.parse_scenario(_ota_group(run=[[0, 'RUNNING'], [3, 'FAILED']])).infos['g'].runs
    assert runs == (((0.0, 'RUNNING'), (3.0, 'FAILED')),)


@pytest.mark.parametrize('data,needle', [
    (_ota_group(new_ota_version='v1'), 'equals ota_version'),
    (_ota_group(task_id='ota-1'), 'already a task'),
    (_ota_group(new_ota_version='', release_note='x'), 'no pending update'),
    (_ota_group(run=[[0, 'STANDBY']]), 'STANDBY'),
    (_ota_group(run=[]), 'run'),
    (_ota_group(colour=1), 'colour'),
    ({'groups': {'g': {'region_id': 'Shanghai'}}}, 'region'),
    ({'groups': {'g': {'status': 'ok'}}}, 'status'),
    ({'groups': {'g': {'product_type': 'Desktop'}}}, 'product_type'),
    ({'groups': {'g': {'gmt_create': '2024-01-01'}}}, 'gmt_create'),
    ({'groups': {'g': {'ota': []}}}, 'ota must be an object'),
    ({'groups': {'g': {'tasks': [{'TaskId': 'a', 'OtaVersion': 'v', 'TaskStartTime': '2024-01-01T00:00:00Z',
                                  'TaskDisplayStatus': 'RUNNING'}], 'ota': {'new_ota_version': 'w'}}}}, 'being applied'),
    ({'groups': {}, 'release_notes': {'v': 1}}, 'release_notes'),
    ({'groups': {}, 'generate_groups': [{'count': 1}]}, 'versions'),
    ({'groups': {}, 'generate_groups': [{'count': 1, 'versions': [{'version': 'v', 'released': '2024-01-01T00:00:00Z'}],
                                         'pending': 2}]}, 'pending'),
    ({'groups': {}, 'generate_groups': [{'count': 1, 'name': '{x}',
                                         'versions': [{'version': 'v', 'released': '2024-01-01T00:00:00Z'}]}]}, 'name'),
])
def test_bad_ota_scenarios_are_rejected(data, needle):
    with pytest.raises(ValueError, match=needle):
        emulator_mod.parse_scenario(data)


def test_generate_groups_is_deterministic_and_consistent():
    spec = {'count': 60, 'seed': 's', 'name': 'grp-{n:02d}', 'region_id': 'ap-southeast-1',
            'versions': [{'version': 'a', 'released': '2025-01-01T00:00:00+08:00'},
                         {'version': 'b', 'released': '2025-04-01T00:00:00+08:00'},
                         {'version': 'c', 'released': '2025-08-01T00:00:00+08:00'}],
            'pending': 0.5, 'retried': 0.5, 'failed_pending': 0.5, 'maintaining': 0.2}
    first = emulator_mod.parse_scenario({'groups': {}, 'generate_groups': [spec]})
    second = emulator_mod.parse_scenario({'groups': {}, 'generate_groups': [spec]})
    assert list(first.infos) == list(second.infos) and len(first.infos) == 60
    infos = list(first.infos.values())
    assert {i.name for i in infos} == {'grp-%02d' % n for n in range(1, 61)}
    assert {i.region_id for i in infos} == {'ap-southeast-1'} and {i.status for i in infos} == {'PUBLISHED', 'MAINTAINING'}
    pending = [i for i in infos if i.new_ota_version]
    assert 10 < len(pending) < 50 and all((i.ota_version, i.new_ota_version) == ('b', 'c') for i in pending)
    assert all(i.ota_version == 'c' for i in infos if not i.new_ota_version)
    statuses = {t.status for tasks in first.groups.values() for t in tasks}
    assert statuses >= {'FINISHED', 'FAILED'} and 'RUNNING' not in statuses and 'STANDBY' not in statuses
    for info in infos:  # the OtaInfo agrees with the history
        tasks = first.groups[info.group_id]
        done = [t for t in tasks if t.status == 'FINISHED']
        assert not done or done[0].ota_version == info.ota_version
        if info.new_ota_version and tasks and tasks[0].ota_version == 'c':
            assert tasks[0].status in ('FAILED', 'TERMINATED', 'PART_FINISHED')
    with pytest.raises(ValueError, match='also in groups'):
        emulator_mod.parse_scenario({'groups': {infos[0].group_id: {}}, 'generate_groups': [spec]})


def test_sample_data_is_a_realistic_account():
    with Emulator() as server:
        models = server.groups()
        regions = {m['RegionId'] for m in models}
        assert regions == {'cn-shanghai', 'ap-southeast-1'} and len(models) > 300
        pending = [m for m in models if m['OtaInfo']['NewOtaVersion']]
        assert 50 < len(pending) < 200
        for model in models:
            tasks = server.tasks(model['AppInstanceGroupId'])
            ota = model['OtaInfo']
            done = [t for t in tasks if t['TaskDisplayStatus'] == 'FINISHED']
            if done and model['AppInstanceGroupId'] != 'aig-demo-rollout':
                assert ota['OtaVersion'] == done[0]['OtaVersion'], model
            live = [t for t in tasks if t['TaskDisplayStatus'] in ('STANDBY', 'RUNNING')]
            if ota['NewOtaVersion'] and not (tasks and tasks[0]['TaskId'] == ota['TaskId']):
                assert ota['TaskId'] not in {t['TaskId'] for t in tasks}  # pending: not listed
            if model['AppInstanceGroupId'] not in ('aig-demo-rollout', 'aig-demo-busy', 'aig-demo-standby'):
                assert not live
        assert any(t['TaskDisplayStatus'] == 'FAILED' for m in models[:60] for t in server.tasks(m['AppInstanceGroupId']))
        offices = [m for m in server.groups('cn-shanghai') if 'demo-office-sh' in m['AppInstanceGroupName']]
        assert len(offices) == 4 and all(m['OtaInfo']['NewOtaVersion'] == '0.0.5-R-20261110.101500' for m in offices)
        assert '修复' in server.ota_state('aig-demo-office-01')['release_note']
        assert server.ota_state('aig-demo-busy')['task']['TaskDisplayStatus'] == 'RUNNING'
        standby = server.ota_state('aig-demo-standby')
        assert standby['approved'] and 29 * 86400 < instant(standby['task']['TaskStartTime']) - time.time() <= 30 * 86400
        prefixed = [m['AppInstanceGroupName'] for m in server.groups('cn-shanghai') if m['AppInstanceGroupName'].startswith('office-apps-sh-01')]
        assert 'office-apps-sh-01' in prefixed and len(prefixed) == 11   # -01 and -010 to -019
        rollout = {'OtaVersion': '0.0.2-R-20250508.120000', 'NewOtaVersion': '0.0.3-R-20250618.093000',
                   'TaskId': 'ota-mc35kyldmfx4xd1f9'}
        assert server.ota_info('aig-demo-rollout') == rollout
        server.advance(20)
        assert server.ota_info('aig-demo-rollout')['NewOtaVersion'] == ''
        r = list_groups(server, ak='EMULATOR-AK-0000', secret='emulator-secret-0000')
        assert r.json['TotalCount'] == len(server.groups('cn-shanghai')) > 200


def test_offer_update_and_admin_ota_endpoints(ota):
    state = admin(ota, 'GET', 'ota?group=aig-u').json
    assert state['OtaInfo'] == {'OtaVersion': V3, 'NewOtaVersion': '', 'TaskId': 'ota-u2'} and state['up_to_date']
    assert admin(ota, 'GET', 'ota?group=aig-nope').status == 404 and admin(ota, 'GET', 'ota').status == 400
    r = admin(ota, 'POST', 'offer', {'group': 'aig-u', 'new_ota_version': 'v4', 'release_note': 'n4',
                                     'run': [[0, 'RUNNING'], [1, 'TERMINATED']], 'task_id': 'ota-offered'})
    assert r.status == 200 and r.json['OtaInfo'] == {'OtaVersion': V3, 'NewOtaVersion': 'v4', 'TaskId': 'ota-offered'}
    assert get_task(ota, 'ota-offered').json['ReleaseNote'] == 'n4'
    assert approve(ota, 'aig-u', 'ota-offered').json['Code'] == 'success'
    assert admin(ota, 'POST', 'offer', {'group': 'aig-u', 'new_ota_version': 'v5'}).status == 400  # RUNNING now
    ota.advance(2)
    assert ota.ota_state('aig-u')['update_available'] and listed(ota, 'aig-u')[0]['TaskDisplayStatus'] == 'TERMINATED'
    assert admin(ota, 'POST', 'offer', {'group': 'aig-u', 'new_ota_version': V3}).status == 400  # already at it
    assert admin(ota, 'POST', 'offer', {'group': 'aig-u', 'new_ota_version': 'v5', 'other': 1}).status == 400
    groups = admin(ota, 'GET', 'groups?region=ap-southeast-1').json
    assert groups['TotalCount'] == 1 and groups['AppInstanceGroupModels'][0]['AppInstanceGroupId'] == 'aig-sg'
    assert admin(ota, 'GET', 'groups').json['TotalCount'] == 6
    with pytest.raises(KeyError):
        ota.ota_info('aig-nope')


def test_inserted_task_goes_above_approved_tasks(ota):
    approve(ota, 'aig-p', 'ota-pending-p', minutes(ota.ota_time() + 86400 * 30))
    inserted = ota.insert_task('aig-p')
    assert [t['TaskId'] for t in listed(ota, 'aig-p')][:2] == [inserted['TaskId'], ota.ota_info('aig-p')['TaskId']]
    dated = ota.insert_task('aig-p', {'TaskStartTime': '2025-03-01T00:00:00Z', 'TaskDisplayStatus': 'FINISHED'})
    assert [t['TaskId'] for t in listed(ota, 'aig-p')][3] == dated['TaskId']  # an explicit start time sorts by time


# --------------------------------------------------------------------------- faults on every action

ACTION_CALLS = {
    'ListAppInstanceGroup': list_groups,
    'GetOtaTaskByTaskId': lambda emu: get_task(emu, 'ota-pending-p'),
    'ApproveOtaTask': lambda emu: approve(emu, 'aig-p', 'ota-pending-p'),
    'ListOtaTask': lambda emu: api(emu, dict(LIST, AppInstanceGroupId='aig-p')),
}


@pytest.mark.parametrize('action', sorted(ACTION_CALLS))
@pytest.mark.parametrize('kind,status,code', [
    ('throttle', 400, 'Throttling.User'), ('throttle_api', 400, 'Throttling.Api'), ('http500', 500, 'InternalError'),
    ('http503', 503, 'ServiceUnavailable'),
])
def test_error_faults_hit_every_action_and_apply_nothing(ota, action, kind, status, code):
    ota.set_faults({'every': {kind: 1}, 'retry_after_ms': 50})
    r = ACTION_CALLS[action](ota)
    assert (r.status, r.code) == (status, code) and set(r.json) == ERROR_KEYS
    if kind.startswith('throttle'):
        assert r.headers['x-acs-retry-after'] == '50'
    assert ota.ota_info('aig-p')['TaskId'] == 'ota-pending-p' and ota.stats()['approvals_by_group'] == {}
    assert ota.stats()['faults_injected_by_action'] == {action: {kind: 1}}


@pytest.mark.parametrize('action', sorted(ACTION_CALLS))
def test_reset_html502_and_hang_hit_every_action(ota, action):
    ota.set_faults({'schedule': {'1': 'reset', '2': 'html502', '3': 'hang'}, 'hang_seconds': 0.3})
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        ACTION_CALLS[action](ota)
    assert ota.ota_info('aig-p')['TaskId'] == 'ota-pending-p'  # a reset before processing applies nothing
    r = ACTION_CALLS[action](ota)
    assert r.status == 502 and r.headers['content-type'].startswith('text/html')
    start = time.monotonic()
    r = ACTION_CALLS[action](ota)
    assert r.status == 200 and time.monotonic() - start >= 0.3
    if action == 'ApproveOtaTask':  # the hung approval was applied after the wait
        assert r.json['Code'] == 'success' and ota.stats()['approvals_by_group'] == {'aig-p': 1}
    assert ota.stats()['faults_injected'] == {'reset': 1, 'html502': 1, 'hang': 1}


def test_reset_after_applies_the_approval_then_drops_the_connection(ota):
    ota.set_faults({'actions': {'ApproveOtaTask': {'schedule': {'1': 'reset_after'}}}})
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        approve(ota, 'aig-p', 'ota-pending-p')
    info = ota.ota_info('aig-p')
    assert info['TaskId'] != 'ota-pending-p'  # it took effect
    assert listed(ota, 'aig-p')[0]['TaskId'] == info['TaskId'] and ota.ota_state('aig-p')['approved']
    r = approve(ota, 'aig-p', 'ota-pending-p')  # re-sending the old request cannot approve twice
    assert (r.status, r.code) == (400, 'InvalidTaskId.NotFound')
    stats = ota.stats()
    assert stats['approvals_by_group'] == {'aig-p': 1}
    assert stats['refused_approvals_by_group'] == {'aig-p': {'InvalidTaskId.NotFound': 1}}
    assert stats['log'][0]['status'] is None and stats['log'][0]['fault'] == 'reset_after'
    assert stats['log'][0]['task_id'] == 'ota-pending-p' and stats['log'][0]['group'] == 'aig-p'


def test_malformed_and_badshape_on_the_new_actions(ota):
    ota.set_faults({'actions': {'ListAppInstanceGroup': {'schedule': {'1': 'malformed', '2': 'badshape'}},
                                'GetOtaTaskByTaskId': {'schedule': {'1': 'badshape'}},
                                'ApproveOtaTask': {'schedule': {'1': 'malformed'}}}})
    r = list_groups(ota)
    assert r.status == 200
    with pytest.raises(ValueError):
        json.loads(r.body)
    body = list_groups(ota).json
    assert body['TotalCount'] == '4' and 'AppInstanceGroupId' not in body['AppInstanceGroupModels'][0]
    body = get_task(ota, 'ota-pending-p').json
    assert 'OtaVersion' not in body and isinstance(body['TaskStartTime'], int)
    r = approve(ota, 'aig-p', 'ota-pending-p')
    with pytest.raises(ValueError):
        json.loads(r.body)
    assert r.status == 200 and ota.ota_state('aig-p')['approved']  # applied, answer garbled
    ota.set_faults({'actions': {'ApproveOtaTask': {'every': {'badshape': 1}}}})
    r = approve(ota, 'aig-q', ota.ota_info('aig-q')['TaskId'])
    assert r.status == 200 and 'Code' not in r.json and r.json['RequestId'] == 20260101 and ota.ota_state('aig-q')['approved']
    r = approve(ota, 'aig-q', 'ota-stale')  # errors are not reshaped
    assert (r.status, r.code) == (400, 'InvalidTaskId.NotFound')
    assert ota.stats()['ok_calls'] == {}  # every answer was garbled


def test_fault_numbering_service_wide_and_per_action(ota):
    ota.set_faults({'every': {'http503': 3}, 'actions': {'ApproveOtaTask': {'schedule': {'1': 'throttle'}}}})
    results = [list_groups(ota), get_task(ota, 'ota-pending-p'), approve(ota, 'aig-p', 'ota-pending-p'),
               ACTION_CALLS['ListOtaTask'](ota), list_groups(ota), get_task(ota, 'ota-pending-p')]
    # service-wide: requests 3 and 6 (any action); ApproveOtaTask's own rule wins on its first request
    assert [r.status for r in results] == [200, 200, 400, 200, 200, 503]
    assert results[2].code == 'Throttling.User'
    stats = ota.stats()
    assert stats['faults_injected_by_action'] == {'ApproveOtaTask': {'throttle': 1}, 'GetOtaTaskByTaskId': {'http503': 1}}
    assert ota.faults()['actions'] == {'ApproveOtaTask': {'every': {}, 'schedule': {'1': 'throttle'}}}
    ota.reset_stats()  # numbering restarts
    assert approve(ota, 'aig-p', 'ota-pending-p').code == 'Throttling.User'


def test_assume_role_is_faulted_only_when_targeted(emu):
    emu.set_faults({'every': {'http500': 1}})
    assert api(emu, ASSUME, action='AssumeRole', version=STS_VERSION).status == 200
    emu.set_faults({'actions': {'AssumeRole': {'schedule': {'1': 'http503'}}}})
    r = api(emu, ASSUME, action='AssumeRole', version=STS_VERSION)
    assert (r.status, r.code, r.json['HostId']) == (503, 'ServiceUnavailable', 'sts.aliyuncs.com')
    assert api(emu).status == 200 and api(emu, ASSUME, action='AssumeRole', version=STS_VERSION).status == 200


@pytest.mark.parametrize('spec,needle', [
    ({'actions': {'Nope': {}}}, 'unknown action'),
    ({'actions': {'ApproveOtaTask': {'every': {'explode': 1}}}}, 'explode'),
    ({'actions': {'ApproveOtaTask': {'other': {}}}}, 'other'),
    ({'actions': {'ApproveOtaTask': []}}, 'must be an object'),
    ({'actions': []}, 'faults.actions'),
])
def test_bad_action_fault_specs(emu, spec, needle):
    with pytest.raises(ValueError, match=needle):
        emu.set_faults(spec)


def test_cli_fault_syntax():
    parse = emulator_mod._fault_arg  # pylint: disable=protected-access
    assert parse('throttle:3') == ('throttle', 3, False, None)
    assert parse('http500@2') == ('http500', 2, True, None)
    assert parse('throttle:3@ApproveOtaTask') == ('throttle', 3, False, 'ApproveOtaTask')
    assert parse('reset_after@1@ApproveOtaTask') == ('reset_after', 1, True, 'ApproveOtaTask')
    for bad in ('reset_after@1@Nope', 'throttle', 'throttle:x', 'throttle:3@A@B', 'explode:1', 'reset@0'):
        with pytest.raises(Exception):
            parse(bad)


def test_gateway_limits_cover_the_new_actions():
    with Emulator(OTA_DATA, max_in_flight=1, latency_ms=400) as server:
        out = {}
        slow = threading.Thread(target=lambda: out.update(slow=list_groups(server)))
        slow.start()
        time.sleep(0.15)
        r = get_task(server, 'ota-pending-p')
        slow.join(5)
        assert out['slow'].status == 200 and (r.status, r.code) == (400, 'Throttling.User')
        assert server.stats()['throttled_by_limit'] == {'max_in_flight': 1}


def test_cli_action_fault_and_verbose_lines(tmp_path):
    data_file = tmp_path / 'data.json'
    data_file.write_text(json.dumps(OTA_DATA))
    proc = _cli('--data', str(data_file), '--fault', 'reset_after@1@ApproveOtaTask', '--verbose')
    try:
        ready = json.loads(proc.stdout.readline())

        class Remote:
            host, port, host_port = '127.0.0.1', ready['port'], '127.0.0.1:%d' % ready['port']
        assert admin(Remote, 'GET', 'faults').json['actions'] == {'ApproveOtaTask': {'every': {}, 'schedule': {'1': 'reset_after'}}}
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            approve(Remote, 'aig-p', 'ota-pending-p', start=minutes(time.time()))
        assert admin(Remote, 'GET', 'ota?group=aig-p').json['approved']
        proc.send_signal(signal.SIGTERM)
        err = proc.communicate(timeout=10)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert 'ApproveOtaTask group=aig-p task=ota-pending-p -> reset [fault reset_after]' in err
    assert SECRET not in err and 'Traceback' not in err
