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

import datetime
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import time

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
        # OTA lifecycle (ListAppInstanceGroup / GetOtaTaskByTaskId / ApproveOtaTask)
        'aig-ota-1': {'name': 'Office-SH-01', 'gmt_create': '2026-01-05T10:00:00.000+08:00',
                      'ota': {'ota_version': '0.0.4-R-20260311.160000', 'new_ota_version': '0.0.5-R-20261110.101500',
                              'release_note': '1. 修复了多显示器问题。\n2. Faster reconnect.'}},
        'aig-ota-2': {'name': 'office-sh-02', 'status': 'MAINTAINING', 'gmt_create': '2026-01-04T10:00:00.000+08:00',
                      'ota': {'ota_version': '0.0.4-R-20260311.160000', 'new_ota_version': '0.0.5-R-20261110.101500'}},
        'aig-ota-busy': {'name': 'busy-sh', 'gmt_create': '2026-01-03T10:00:00.000+08:00', 'tasks': [
            {'TaskId': 'ota-busy', 'OtaVersion': '0.0.5-R-20261110.101500', 'TaskStartTime': '2026-11-20T10:00:00+08:00',
             'TaskDisplayStatus': 'RUNNING'}]},
        'aig-ota-sg': {'name': 'office-sg-01', 'region_id': 'ap-southeast-1', 'gmt_create': '2026-01-02T10:00:00.000+08:00',
                       'ota': {'ota_version': '0.0.4-R-20260311.160000', 'new_ota_version': '0.0.5-R-20261110.101500'}},
    },
    'generate_groups': [{'count': 150, 'seed': 'sdk', 'name': 'bulk-sh-{n:03d}', 'region_id': 'cn-shanghai',
                         'versions': [{'version': '0.0.4-R-20260311.160000', 'released': '2026-03-11T16:00:00+08:00'},
                                      {'version': '0.0.5-R-20261110.101500', 'released': '2026-11-10T10:15:00+08:00'}],
                         'pending': 0.3, 'retried': 0.3, 'failed_pending': 0.3}],
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


def group_page(c, step, page):
    request = models.ListAppInstanceGroupRequest(
        product_type=step.get('product_type', 'CloudApp'), biz_region_id=step.get('region'),
        app_instance_group_id=step.get('group_id'), app_instance_group_name=step.get('name'), status=step.get('status'),
        page_number=page, page_size=step.get('size', 100))
    body = c.list_app_instance_group(request).body
    models_ = body.app_instance_group_models
    return {'total': body.total_count, 'page_number': body.page_number, 'page_size': body.page_size,
            'ids': [m.app_instance_group_id for m in models_], 'names': [m.app_instance_group_name for m in models_],
            'statuses': [m.status for m in models_], 'regions': [m.region_id for m in models_],
            'ota': {m.app_instance_group_id: {'OtaVersion': m.ota_info.ota_version,
                                              'NewOtaVersion': m.ota_info.new_ota_version,
                                              'TaskId': m.ota_info.task_id} for m in models_}}


def current_task_id(c, group, region):
    return group_page(c, {'group_id': group, 'region': region}, 1)['ota'][group]['TaskId']


def run(step):
    op = step['op']
    if op == 'list_groups':
        c = client(step['auth'])
        pages, page = [], 1
        while True:
            result = group_page(c, step, page)
            pages.append(result)
            if not result['ids'] or not step.get('all'):
                return pages
            page += 1
    if op == 'get_task':
        c = client(step['auth'])
        task_id = step.get('task_id') or current_task_id(c, step['group'], step.get('region', 'cn-shanghai'))
        body = c.get_ota_task_by_task_id(models.GetOtaTaskByTaskIdRequest(task_id=task_id)).body
        return {'task_id': task_id, 'ota_version': body.ota_version, 'release_note': body.release_note,
                'task_start_time': body.task_start_time, 'code': body.code}
    if op == 'approve':
        c = client(step['auth'])
        region = step.get('region', 'cn-shanghai')
        task_id = step.get('task_id') or current_task_id(c, step['group'], region)
        body = c.approve_ota_task(models.ApproveOtaTaskRequest(
            app_instance_group_id=step['group'], biz_region_id=region, ota_type='Fota', start_time=step['start'],
            task_id=task_id)).body
        return {'quoted': task_id, 'code': body.code, 'message': body.message, 'request_id': bool(body.request_id)}
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


# --------------------------------------------------------------------------- the OTA APIs beyond ListOtaTask

def _minutes(offset=0.0):
    return datetime.datetime.fromtimestamp(time.time() + offset, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%MZ')


def test_sdk_list_app_instance_group_filters_and_pages(emu, tmp_path):
    steps = [{'op': 'list_groups', 'auth': AUTH, 'region': 'cn-shanghai', 'all': True},
             {'op': 'list_groups', 'auth': AUTH, 'region': 'cn-shanghai', 'name': 'office-sh', 'size': 1, 'all': True},
             {'op': 'list_groups', 'auth': AUTH, 'region': 'cn-shanghai', 'status': ['MAINTAINING']},
             {'op': 'list_groups', 'auth': AUTH, 'region': 'cn-shanghai', 'status': ['PUBLISHED', 'MAINTAINING'],
              'name': 'OFFICE'},
             {'op': 'list_groups', 'auth': AUTH, 'region': 'ap-southeast-1'},
             {'op': 'list_groups', 'auth': AUTH, 'region': 'cn-shanghai', 'group_id': 'aig-ota-busy'},
             {'op': 'list_groups', 'auth': dict(AUTH, v2=True), 'region': 'cn-shanghai', 'group_id': 'aig-ota-1'}]
    every, named, maintaining, both, singapore, busy, legacy = run_sdk(emu, steps, tmp_path)
    truth = emu.groups('cn-shanghai')
    pages = every['value']
    assert len(truth) == 150 + 6 and [p['page_number'] for p in pages] == [1, 2, 3]
    assert [i for p in pages for i in p['ids']] == [m['AppInstanceGroupId'] for m in truth]
    assert all(p['total'] == len(truth) and p['page_size'] == 100 for p in pages)
    ota = {gid: info for p in pages for gid, info in p['ota'].items()}
    assert ota == {m['AppInstanceGroupId']: m['OtaInfo'] for m in truth}
    assert sum(1 for info in ota.values() if info['NewOtaVersion']) > 20  # the generated account has pending updates
    assert [p['ids'] for p in named['value']] == [['aig-ota-1'], ['aig-ota-2'], []]  # substring, case-insensitive
    assert maintaining['value'][0]['ids'] == ['aig-ota-2']
    assert both['value'][0]['ids'] == ['aig-ota-1', 'aig-ota-2']
    assert singapore['value'][0]['ids'] == ['aig-ota-sg'] and singapore['value'][0]['regions'] == ['ap-southeast-1']
    assert busy['value'][0]['ota'] == {'aig-ota-busy': {'OtaVersion': '', 'NewOtaVersion': '0.0.5-R-20261110.101500',
                                                        'TaskId': 'ota-busy'}}
    assert legacy['value'][0]['ids'] == ['aig-ota-1']
    stats = emu.stats()
    assert stats['error_codes'] == {} and stats['calls'] == {'ListAppInstanceGroup': 3 + 3 + 1 + 1 + 1 + 1 + 1}


def test_sdk_release_note_approve_and_lifecycle(emu, tmp_path):
    pending = emu.ota_info('aig-ota-1')['TaskId']
    future = _minutes(7200)
    steps = [{'op': 'get_task', 'auth': AUTH, 'group': 'aig-ota-1'},
             {'op': 'approve', 'auth': AUTH, 'group': 'aig-ota-1', 'start': _minutes()},
             {'op': 'list_groups', 'auth': AUTH, 'region': 'cn-shanghai', 'group_id': 'aig-ota-1'},
             {'op': 'list_page', 'auth': AUTH, 'group': 'aig-ota-1', 'page': 1, 'size': 10},
             {'op': 'approve', 'auth': AUTH, 'group': 'aig-ota-1', 'start': _minutes(), 'task_id': pending},
             {'op': 'approve', 'auth': AUTH, 'group': 'aig-ota-2', 'start': future},
             {'op': 'list_page', 'auth': AUTH, 'group': 'aig-ota-2', 'page': 1, 'size': 10},
             {'op': 'approve', 'auth': AUTH, 'group': 'aig-ota-busy', 'start': _minutes()},
             {'op': 'approve', 'auth': AUTH, 'group': 'aig-empty', 'start': _minutes(), 'task_id': 'ota-none'}]
    note, approved, groups, listed, stale, standby, listed_standby, running, no_new = run_sdk(emu, steps, tmp_path)
    assert note['value'] == {'task_id': pending, 'ota_version': '0.0.5-R-20261110.101500',
                             'release_note': '1. 修复了多显示器问题。\n2. Faster reconnect.',
                             'task_start_time': note['value']['task_start_time'], 'code': None}
    assert len(note['value']['task_start_time']) == len('2026-11-30T06:00Z')
    assert approved['value'] == {'quoted': pending, 'code': 'success', 'message': None, 'request_id': True}
    new_id = groups['value'][0]['ota']['aig-ota-1']['TaskId']
    assert new_id != pending and new_id == emu.ota_info('aig-ota-1')['TaskId']
    assert listed['value']['ids'] == [new_id] and listed['value']['statuses'] == ['RUNNING']
    assert (stale['type'], stale['code'], stale['status_code']) == ('ClientException', 'InvalidTaskId.NotFound', 400)
    assert standby['value']['code'] == 'success'
    assert listed_standby['value']['statuses'] == ['STANDBY'] and emu.ota_state('aig-ota-2')['approved']
    # HTTP 200 answers with a Code: the SDK returns them, it does not raise
    assert running['value']['code'] == 'OtaTask.Running' and 'running' in running['value']['message']
    assert no_new['value']['code'] == 'OtaTask.NoNewVersion'
    emu.advance(21)
    assert emu.ota_info('aig-ota-1') == {'OtaVersion': '0.0.5-R-20261110.101500', 'NewOtaVersion': '', 'TaskId': new_id}
    stats = emu.stats()
    assert stats['approvals_by_group'] == {'aig-ota-1': 1, 'aig-ota-2': 1}
    assert stats['refused_approvals_by_group'] == {'aig-ota-1': {'InvalidTaskId.NotFound': 1},
                                                   'aig-ota-busy': {'OtaTask.Running': 1},
                                                   'aig-empty': {'OtaTask.NoNewVersion': 1}}


def test_sdk_ota_rejections(emu, tmp_path):
    wrong = {'ak': AK, 'secret': 'wrong'}
    pending = emu.ota_info('aig-ota-1')['TaskId']
    steps = [{'op': 'list_groups', 'auth': wrong, 'region': 'cn-shanghai', 'name': 'office'},
             {'op': 'get_task', 'auth': wrong, 'task_id': pending},
             {'op': 'approve', 'auth': wrong, 'group': 'aig-ota-1', 'start': _minutes(), 'task_id': pending},
             {'op': 'get_task', 'auth': AUTH, 'task_id': 'ota-unknown'},
             {'op': 'approve', 'auth': AUTH, 'group': 'aig-ota-1', 'start': '2026-11-30T06:00:00Z', 'task_id': pending},
             {'op': 'approve', 'auth': AUTH, 'group': 'aig-ota-sg', 'start': _minutes(), 'task_id': pending},
             {'op': 'approve', 'auth': AUTH, 'group': 'aig-nope', 'start': _minutes(), 'task_id': pending},
             {'op': 'list_groups', 'auth': AUTH, 'product_type': None, 'region': 'cn-shanghai'}]
    results = run_sdk(emu, steps, tmp_path)
    assert [(r['type'], r['code'], r['status_code']) for r in results] == [
        ('ClientException', 'SignatureDoesNotMatch', 400),
        ('ClientException', 'SignatureDoesNotMatch', 400),
        ('ClientException', 'SignatureDoesNotMatch', 400),
        ('ClientException', 'InvalidTaskId.NotFound', 400),
        ('ClientException', 'InvalidParameter.StartTime', 400),
        ('ClientException', 'InvalidAppInstanceGroup.NotFound', 400),  # BizRegionId is not the group's region
        ('ClientException', 'InvalidAppInstanceGroup.NotFound', 400),
        ('ClientException', 'MissingParameter', 400),
    ]
    assert emu.ota_info('aig-ota-1')['TaskId'] == pending and emu.stats()['approvals_by_group'] == {}


def test_sdk_faults_on_the_ota_apis(emu, tmp_path):
    emu.set_faults({'actions': {'ListAppInstanceGroup': {'schedule': {'1': 'throttle'}},
                                'GetOtaTaskByTaskId': {'schedule': {'1': 'http500'}},
                                'ApproveOtaTask': {'schedule': {'1': 'reset_after'}}},
                    'retry_after_ms': 100})
    pending = emu.ota_info('aig-ota-1')['TaskId']
    steps = [{'op': 'list_groups', 'auth': AUTH, 'region': 'cn-shanghai', 'group_id': 'aig-ota-1'},
             {'op': 'get_task', 'auth': AUTH, 'task_id': pending},
             {'op': 'approve', 'auth': AUTH, 'group': 'aig-ota-1', 'start': _minutes(), 'task_id': pending},
             {'op': 'approve', 'auth': AUTH, 'group': 'aig-ota-1', 'start': _minutes(), 'task_id': pending}]
    throttled, failed, dropped, again = run_sdk(emu, steps, tmp_path)
    assert (throttled['type'], throttled['code'], throttled['retry_after']) == ('ThrottlingException', 'Throttling.User', 100)
    assert (failed['type'], failed['status_code']) == ('ServerException', 500)
    assert dropped['type'] == 'UnretryableException'  # the connection was dropped after the approval was applied
    assert again['code'] == 'InvalidTaskId.NotFound'   # so re-sending it cannot approve twice
    assert emu.ota_state('aig-ota-1')['approved'] and emu.stats()['approvals_by_group'] == {'aig-ota-1': 1}
