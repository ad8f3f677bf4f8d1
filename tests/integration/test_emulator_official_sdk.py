# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The official App Streaming SDK and alibabacloud-credentials against the strict emulator.

Why: the emulator is only useful if the real clients are accepted byte for byte (V3 and
legacy signatures, STS tokens) and rejected the way Alibaba Cloud rejects them.  The SDK
is a test-only dependency; it runs in a subprocess with a clean environment (no proxies,
no ECS metadata, a private HOME) because alibabacloud-credentials reads env at import.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import pytest

EMULATOR_PATH = pathlib.Path(__file__).resolve().parents[1] / 'emulator' / 'ota_emulator.py'
_SPEC = importlib.util.spec_from_file_location('ota_emulator_for_sdk_tests', EMULATOR_PATH)
emulator_mod = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(emulator_mod)

if importlib.util.find_spec('alibabacloud_appstream_center20210901') is None:
    pytest.skip('the official SDK (alibabacloud-appstream-center20210901) is not installed', allow_module_level=True)

AK, SECRET = 'AK-SDK', 'sdk-secret'
ROLE = 'acs:ram::1234567890123456:role/ota-reader'
DATA = {
    'accounts': [
        {'access_key_id': AK, 'access_key_secret': SECRET, 'roles': [ROLE]},
        {'access_key_id': 'STS.static', 'access_key_secret': 'sts-secret', 'security_token': 'tok-static'},
        {'access_key_id': 'STS.expired', 'access_key_secret': 'sts-secret-2', 'security_token': 'tok-2', 'expired': True},
    ],
    'groups': {
        'aig-big': {'generate': {'count': 250, 'status': [[0, 'RUNNING'], [3600, 'FINISHED']]}},
        'aig-small': {'tasks': [
            {'TaskId': 'ota-s2', 'OtaVersion': '0.0.2-R-20240102.000000', 'TaskStartTime': '2024-01-02T10:00:00+08:00',
             'TaskDisplayStatus': 'PART_FINISHED'},
            {'TaskId': 'ota-s1', 'OtaVersion': '0.0.1-R-20240101.000000', 'TaskStartTime': '2024-01-01T10:00:00+08:00',
             'TaskDisplayStatus': 'FINISHED'},
        ]},
        'aig-empty': {'tasks': []},
    },
}

# Runs inside the SDK subprocess: executes a list of steps, prints one JSON document.
RUNNER = r'''
import json
import sys

from alibabacloud_appstream_center20210901 import models
from alibabacloud_appstream_center20210901.client import Client
from alibabacloud_credentials.client import Client as CredClient
from alibabacloud_credentials.models import Config as CredConfig
from alibabacloud_tea_openapi import models as open_api_models

spec = json.loads(sys.argv[1])
endpoint = spec['host_port']
saved = {}


def cred_client(auth):
    return CredClient(CredConfig(type='ram_role_arn', access_key_id=auth['ak'], access_key_secret=auth['secret'],
                                 role_arn=auth['role_arn'], role_session_name=auth.get('session', 'sdk-test'),
                                 sts_endpoint='http://' + endpoint))


def client(auth):
    kw = dict(endpoint=endpoint, protocol='http', region_id='cn-shanghai')
    if auth.get('ram_role_arn'):
        kw['credential'] = saved.setdefault('cred_client', cred_client(auth['ram_role_arn']))
    elif auth.get('use_saved'):
        kw.update(access_key_id=saved['ak'], access_key_secret=saved['secret'], security_token=saved['token'])
    else:
        kw.update(access_key_id=auth['ak'], access_key_secret=auth['secret'])
        if auth.get('token'):
            kw['security_token'] = auth['token']
    if auth.get('v2'):
        kw['signature_algorithm'] = 'v2'
    return Client(open_api_models.Config(**kw))


def list_page(c, group, page, size):
    body = c.list_ota_task(models.ListOtaTaskRequest(app_instance_group_id=group, ota_type='Fota',
                                                     page_number=page, page_size=size)).body
    return {'total': body.total_count, 'page_number': body.page_number, 'page_size': body.page_size,
            'ids': [t.task_id for t in body.task_list], 'statuses': [t.task_display_status for t in body.task_list]}


def run(step):
    op = step['op']
    if op == 'list_all':
        c = client(step['auth'])
        pages, page = [], 1
        while True:
            result = list_page(c, step['group'], page, step['size'])
            pages.append(result)
            if not result['ids']:
                return pages
            page += 1
    if op == 'list_page':
        return list_page(client(step['auth']), step['group'], step['page'], step['size'])
    if op == 'credential':
        cred = cred_client(step['auth']).get_credential()
        saved.update(ak=cred.access_key_id, secret=cred.access_key_secret, token=cred.security_token)
        return {'ak_prefix': cred.access_key_id[:4], 'has_token': bool(cred.security_token),
                'provider': cred.provider_name}
    raise ValueError(op)


out = []
for step in spec['steps']:
    try:
        out.append({'ok': True, 'value': run(step)})
    except Exception as exc:
        out.append({'ok': False, 'type': type(exc).__name__, 'code': getattr(exc, 'code', None),
                    'status_code': getattr(exc, 'status_code', None), 'retry_after': getattr(exc, 'retry_after', None),
                    'message': str(exc)[:400]})
print(json.dumps(out))
'''


def run_sdk(emu, steps, tmp_path):
    """Run the steps with the official SDK in a subprocess whose environment holds nothing but the basics."""
    home = tmp_path / 'home'
    home.mkdir(exist_ok=True)
    env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'HOME': str(home), 'ALIBABA_CLOUD_ECS_METADATA_DISABLED': 'true',
           'PYTHONDONTWRITEBYTECODE': '1', 'LANG': 'C.UTF-8'}
    proc = subprocess.run([sys.executable, '-c', RUNNER, json.dumps({'host_port': emu.host_port, 'steps': steps})],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture
def emu():
    with emulator_mod.Emulator(DATA) as server:
        yield server


AUTH = {'ak': AK, 'secret': SECRET}


def _check_full_listing(emu, pages, group, size):
    truth = [t['TaskId'] for t in emu.tasks(group)]
    assert all(p['total'] == len(truth) and p['page_size'] == size for p in pages)
    assert [p['page_number'] for p in pages] == list(range(1, len(pages) + 1))
    assert [i for p in pages for i in p['ids']] == truth
    assert pages[-1]['ids'] == []


def test_sdk_v3_pages_and_total_count(emu, tmp_path):
    steps = [{'op': 'list_all', 'auth': AUTH, 'group': 'aig-big', 'size': 100},
             {'op': 'list_all', 'auth': AUTH, 'group': 'aig-big', 'size': 33},
             {'op': 'list_all', 'auth': AUTH, 'group': 'aig-small', 'size': 1},
             {'op': 'list_page', 'auth': AUTH, 'group': 'aig-empty', 'page': 1, 'size': 10}]
    big100, big33, small, empty = run_sdk(emu, steps, tmp_path)
    _check_full_listing(emu, big100['value'], 'aig-big', 100)
    assert len(big100['value']) == 4
    _check_full_listing(emu, big33['value'], 'aig-big', 33)
    _check_full_listing(emu, small['value'], 'aig-small', 1)
    assert small['value'][0]['statuses'] == ['PART_FINISHED']
    assert empty['value']['total'] == 0 and empty['value']['ids'] == []
    stats = emu.stats()
    assert stats['error_codes'] == {} and stats['ok_calls']['ListOtaTask'] == 4 + 9 + 3 + 1


def test_sdk_rejections(emu, tmp_path):
    steps = [{'op': 'list_page', 'auth': {'ak': AK, 'secret': 'wrong'}, 'group': 'aig-small', 'page': 1, 'size': 10},
             {'op': 'list_page', 'auth': {'ak': 'AK-NOPE', 'secret': SECRET}, 'group': 'aig-small', 'page': 1, 'size': 10},
             {'op': 'list_page', 'auth': AUTH, 'group': 'aig-nope', 'page': 1, 'size': 10},
             {'op': 'list_page', 'auth': AUTH, 'group': 'aig-small', 'page': 1, 'size': 500},
             {'op': 'list_page', 'auth': {'ak': 'STS.static', 'secret': 'sts-secret'}, 'group': 'aig-small', 'page': 1,
              'size': 10},
             {'op': 'list_page', 'auth': {'ak': 'STS.expired', 'secret': 'sts-secret-2', 'token': 'tok-2'},
              'group': 'aig-small', 'page': 1, 'size': 10},
             {'op': 'list_page', 'auth': dict(AUTH, v2=True), 'group': 'aig-small', 'page': 0, 'size': 10}]
    results = run_sdk(emu, steps, tmp_path)
    assert [(r['type'], r['code'], r['status_code']) for r in results] == [
        ('ClientException', 'SignatureDoesNotMatch', 400),
        ('ClientException', 'InvalidAccessKeyId.NotFound', 404),
        ('ClientException', 'InvalidAppInstanceGroup.NotFound', 400),
        ('ClientException', 'InvalidParameter.PageSize', 400),
        ('ClientException', 'MissingSecurityToken', 400),
        ('ClientException', 'InvalidSecurityToken.Expired', 400),
        ('ClientException', 'InvalidParameter.PageNumber', 400),
    ]


def test_sdk_legacy_v2_signature(emu, tmp_path):
    steps = [{'op': 'list_all', 'auth': dict(AUTH, v2=True), 'group': 'aig-big', 'size': 100},
             {'op': 'list_page', 'auth': {'ak': 'STS.static', 'secret': 'sts-secret', 'token': 'tok-static', 'v2': True},
              'group': 'aig-small', 'page': 1, 'size': 10},
             {'op': 'list_page', 'auth': {'ak': AK, 'secret': 'wrong', 'v2': True}, 'group': 'aig-small', 'page': 1,
              'size': 10}]
    pages, sts, wrong = run_sdk(emu, steps, tmp_path)
    _check_full_listing(emu, pages['value'], 'aig-big', 100)
    assert sts['value']['ids'] == ['ota-s2', 'ota-s1']
    assert (wrong['type'], wrong['code']) == ('ClientException', 'SignatureDoesNotMatch')


def test_sts_token_from_emulator_assume_role(emu, tmp_path):
    role_auth = {'ak': AK, 'secret': SECRET, 'role_arn': ROLE, 'session': 'sdk-session'}
    steps = [{'op': 'credential', 'auth': role_auth},
             {'op': 'list_page', 'auth': {'use_saved': True}, 'group': 'aig-small', 'page': 1, 'size': 10},
             {'op': 'list_page', 'auth': {'use_saved': True, 'v2': True}, 'group': 'aig-small', 'page': 1, 'size': 10},
             {'op': 'list_all', 'auth': {'ram_role_arn': role_auth}, 'group': 'aig-big', 'size': 100}]
    cred, v3, v2, pages = run_sdk(emu, steps, tmp_path)
    assert cred['value'] == {'ak_prefix': 'STS.', 'has_token': True, 'provider': 'ram_role_arn/static_ak'}
    assert v3['value']['ids'] == v2['value']['ids'] == ['ota-s2', 'ota-s1']
    _check_full_listing(emu, pages['value'], 'aig-big', 100)
    stats = emu.stats()
    assert stats['calls']['AssumeRole'] == 2  # one per credentials client: the provider caches its token
    assert stats['ok_calls']['AssumeRole'] == 2 and stats['error_codes'] == {}


def test_credentials_ram_role_arn_provider_errors(emu, tmp_path):
    steps = [{'op': 'credential', 'auth': {'ak': AK, 'secret': SECRET, 'role_arn': 'acs:ram::1234567890123456:role/none'}},
             {'op': 'credential', 'auth': {'ak': AK, 'secret': 'wrong', 'role_arn': ROLE}},
             {'op': 'credential', 'auth': {'ak': AK, 'secret': SECRET, 'role_arn': ROLE, 'session': 'bad session'}}]
    missing, wrong, bad_session = run_sdk(emu, steps, tmp_path)
    assert missing['type'] == 'CredentialException' and 'http_code: 404' in missing['message']
    assert 'EntityNotExist.Role' in missing['message']
    assert 'SignatureDoesNotMatch' in wrong['message']
    assert 'InvalidParameter.RoleSessionName' in bad_session['message']


def test_sdk_sees_throttling_and_faults(emu, tmp_path):
    emu.set_faults({'schedule': {'1': 'throttle', '2': 'http503', '3': 'html502', '4': 'reset', '5': 'malformed'},
                    'retry_after_ms': 150})
    step = {'op': 'list_page', 'auth': AUTH, 'group': 'aig-small', 'page': 1, 'size': 10}
    throttle, unavailable, html, reset, malformed, ok = run_sdk(emu, [step] * 6, tmp_path)
    assert (throttle['type'], throttle['code'], throttle['retry_after']) == ('ThrottlingException', 'Throttling.User', 150)
    assert (unavailable['type'], unavailable['status_code']) == ('ServerException', 503)
    assert html['type'] == 'UnretryableException' and 'json' in html['message']
    assert reset['type'] == 'UnretryableException' and 'reset' in reset['message'].lower()
    assert malformed['type'] == 'UnretryableException'
    assert ok['ok'] and ok['value']['ids'] == ['ota-s2', 'ota-s1']
