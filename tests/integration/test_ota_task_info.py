# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""alibabacloud.appstreaming.ota_task_info through real `ansible`, signed, against the emulator."""

from __future__ import annotations

import json

import pytest

from conftest import AK, ROLE_ARN, ROOT, SECRET, account, creds, play_with_defaults, task

MODULE = 'alibabacloud.appstreaming.ota_task_info'


def ids(tasks):
    return [t['task_id'] for t in tasks]


def truth(server, group):
    return [t['TaskId'] for t in server.tasks(group)]


def test_250_tasks_exactly_in_three_calls(emulator, ansible):
    server = emulator({'aig-big': {'generate': {'count': 250, 'status': 'FINISHED'}}})
    proc, result = ansible.module(MODULE, creds(server, app_instance_group_id='aig-big'), check=True)
    assert ids(result['ota_tasks']) == truth(server, 'aig-big')
    assert len(set(ids(result['ota_tasks']))) == 250
    assert result['total_count'] == 250 and result['status_counts'] == {'FINISHED': 250} and result['all_terminal'] is True
    assert result['changed'] is False
    assert server.stats()['calls'] == {'ListOtaTask': 3}
    assert {(e['page_number'], e['page_size']) for e in server.stats()['log']} == {(1, 100), (2, 100), (3, 100)}
    assert SECRET not in proc.stdout + proc.stderr


def test_the_result_shape_groups_and_filters(emulator, ansible):
    server = emulator({
        'aig-a': {'tasks': [task('ota-a1', 'RUNNING', 'v2', '2024-01-02T00:00:00+08:00'), task('ota-a2', 'FAILED', 'v1', '2024-01-01T00:00:00+08:00')]},
        'aig-b': {'tasks': [task('ota-b1', 'FINISHED', 'v2', '2024-01-03T00:00:00+08:00')]},
        'aig-empty': {'tasks': []},
    })
    _proc, result = ansible.module(MODULE, creds(server, app_instance_group_ids=['aig-b', 'aig-a', 'aig-empty']), check=True)
    assert ids(result['ota_tasks']) == ['ota-b1', 'ota-a1', 'ota-a2']   # group order given, API order inside
    assert result['ota_tasks'][0] == {'task_id': 'ota-b1', 'ota_version': 'v2', 'task_display_status': 'FINISHED',
                                      'task_start_time': '2024-01-03T00:00:00+08:00', 'app_instance_group_id': 'aig-b'}
    assert result['groups'] == {
        'aig-b': {'total_count': 1, 'status_counts': {'FINISHED': 1}, 'all_terminal': True,
                  'newest_task_id': 'ota-b1', 'newest_status': 'FINISHED', 'in_flight': False, 'succeeded': True,
                  'superseded_task_ids': []},
        'aig-a': {'total_count': 2, 'status_counts': {'RUNNING': 1, 'FAILED': 1}, 'all_terminal': False,
                  'newest_task_id': 'ota-a1', 'newest_status': 'RUNNING', 'in_flight': True, 'succeeded': False,
                  'superseded_task_ids': []},
        'aig-empty': {'total_count': 0, 'status_counts': {}, 'all_terminal': True,
                      'newest_task_id': None, 'newest_status': None, 'in_flight': False, 'succeeded': True,
                      'superseded_task_ids': []},
    }
    assert result['total_count'] == 3 and result['all_terminal'] is False and result['succeeded'] is False
    group_args = dict(app_instance_group_ids=['aig-a', 'aig-b'])
    for extra, expected in (
        (dict(statuses=['RUNNING', 'FINISHED']), ['ota-a1', 'ota-b1']),
        (dict(task_ids=['ota-a2', 'ota-b1']), ['ota-a2', 'ota-b1']),
        (dict(ota_version='v2'), ['ota-a1', 'ota-b1']),
        (dict(ota_version='v2', statuses=['RUNNING']), ['ota-a1']),
    ):
        _proc, result = ansible.module(MODULE, creds(server, **dict(group_args, **extra)), check=True)
        assert ids(result['ota_tasks']) == expected, extra
        assert result['total_count'] == 3   # the API's count, before filters


def test_page_size_and_page_number(emulator, ansible):
    server = emulator({'aig-1': {'generate': {'count': 25, 'status': 'RUNNING'}}})
    _proc, result = ansible.module(MODULE, creds(server, app_instance_group_id='aig-1', page_size=10), check=True)
    assert ids(result['ota_tasks']) == truth(server, 'aig-1')
    assert server.stats()['calls'] == {'ListOtaTask': 3}
    server.reset_stats()
    _proc, result = ansible.module(MODULE, creds(server, app_instance_group_id='aig-1', page_size=10, page_number=3), check=True)
    assert ids(result['ota_tasks']) == truth(server, 'aig-1')[20:25]
    assert result['total_count'] == 25
    assert server.stats()['calls'] == {'ListOtaTask': 1}


def test_exact_list_through_throttling_errors_and_resets(emulator, ansible):
    faults = {'every': {'http500': 7, 'reset': 11}, 'schedule': {'1': 'throttle', '6': 'throttle', '13': 'throttle'}, 'retry_after_ms': 50}
    server = emulator({'aig-1': {'generate': {'count': 1200, 'status': 'FINISHED'}},
                       'aig-2': {'generate': {'count': 450, 'status': 'RUNNING'}}}, faults=faults)
    proc, result = ansible.module(MODULE, creds(server, app_instance_group_ids=['aig-1', 'aig-2']), check=True)
    assert ids(result['ota_tasks']) == truth(server, 'aig-1') + truth(server, 'aig-2')
    stats = server.stats()
    assert stats['faults_injected'].get('throttle') and stats['faults_injected'].get('http500') and stats['faults_injected'].get('reset')
    assert stats['ok_calls']['ListOtaTask'] == 12 + 5   # every page read once successfully: no restart from page 1
    assert 'Traceback' not in proc.stdout + proc.stderr


def test_check_mode_and_module_defaults_group(emulator, ansible):
    server = emulator({'aig-1': {'tasks': [task('ota-1', 'RUNNING')]}})
    play = play_with_defaults(server, '''
    - alibabacloud.appstreaming.ota_task_info:
        app_instance_group_id: aig-1
      register: ota
      check_mode: true
    - ansible.builtin.assert:
        that:
          - ota is not changed
          - ota.ota_tasks | map(attribute='task_id') | list == ['ota-1']
          - "ota.status_counts == {'RUNNING': 1}"
          - not ota.all_terminal
''')
    ansible.playbook(play, check=True)


# --- credentials: every way of giving them works against the emulator's signature check ---

def test_credentials_from_alibaba_cloud_env(emulator, ansible):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}})
    env = {'ALIBABA_CLOUD_ACCESS_KEY_ID': AK, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': SECRET, 'ALIBABA_CLOUD_REGION_ID': 'ap-southeast-1'}
    _proc, result = ansible.module(MODULE, {'app_instance_group_id': 'aig-1', 'endpoint': server.endpoint}, env=env, check=True)
    assert ids(result['ota_tasks']) == ['ota-1']


def test_credentials_from_alicloud_env(emulator, ansible):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}})
    env = {'ALICLOUD_ACCESS_KEY': AK, 'ALICLOUD_SECRET_KEY': SECRET}
    _proc, result = ansible.module(MODULE, {'app_instance_group_id': 'aig-1', 'endpoint': server.endpoint}, env=env, check=True)
    assert ids(result['ota_tasks']) == ['ota-1']


def test_sts_token(emulator, ansible):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}},
                      accounts=[account(), {'access_key_id': 'STS.static-1', 'access_key_secret': 'sts-secret-1234567',
                                            'security_token': 'sts-token-abcdef123456'}])
    args = {'app_instance_group_id': 'aig-1', 'endpoint': server.endpoint, 'access_key_id': 'STS.static-1',
            'access_key_secret': 'sts-secret-1234567', 'security_token': 'sts-token-abcdef123456'}
    proc, result = ansible.module(MODULE, args, check=True)
    assert ids(result['ota_tasks']) == ['ota-1']
    proc, result = ansible.module(MODULE, dict(args, security_token='sts-token-wrong-0000'), check=False)
    assert 'InvalidSecurityToken' in result['msg']
    assert 'sts-token-wrong-0000' not in proc.stdout + proc.stderr


def test_cli_config_profile(emulator, ansible):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}})
    (ansible.home / '.aliyun').mkdir()
    (ansible.home / '.aliyun' / 'config.json').write_text(json.dumps({'current': 'other', 'profiles': [
        {'name': 'other', 'mode': 'AK', 'access_key_id': 'nope', 'access_key_secret': 'nope-nope-nope'},
        {'name': 'ops', 'mode': 'AK', 'access_key_id': AK, 'access_key_secret': SECRET, 'region_id': 'cn-shanghai'}]}))
    _proc, result = ansible.module(MODULE, {'app_instance_group_id': 'aig-1', 'endpoint': server.endpoint, 'profile': 'ops'}, check=True)
    assert ids(result['ota_tasks']) == ['ota-1']
    # ALIBABA_CLOUD_PROFILE selects it when no option is given
    _proc, result = ansible.module(MODULE, {'app_instance_group_id': 'aig-1', 'endpoint': server.endpoint},
                                   env={'ALIBABA_CLOUD_PROFILE': 'ops'}, check=True)
    assert ids(result['ota_tasks']) == ['ota-1']


def test_ini_profile_and_explicit_profile_beats_env_keys(emulator, ansible):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}})
    (ansible.home / '.alibabacloud').mkdir()
    (ansible.home / '.alibabacloud' / 'credentials.ini').write_text(
        '[ops]\ntype = access_key\naccess_key_id = %s\naccess_key_secret = %s\n' % (AK, SECRET))
    env = {'ALIBABA_CLOUD_ACCESS_KEY_ID': 'stale-key', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': 'stale-secret-000'}
    _proc, result = ansible.module(MODULE, {'app_instance_group_id': 'aig-1', 'endpoint': server.endpoint, 'profile': 'ops'},
                                   env=env, check=True)
    assert ids(result['ota_tasks']) == ['ota-1']


def test_role_arn_through_the_emulator_sts_assumes_once(emulator, ansible):
    server = emulator({'aig-1': {'generate': {'count': 350, 'status': 'FINISHED'}}})
    args = creds(server, app_instance_group_id='aig-1', role_arn=ROLE_ARN, sts_endpoint=server.sts_endpoint,
                 role_session_name='it-session')
    _proc, result = ansible.module(MODULE, args, check=True)
    assert ids(result['ota_tasks']) == truth(server, 'aig-1')
    assert server.stats()['calls'] == {'AssumeRole': 1, 'ListOtaTask': 4}


def test_role_arn_the_account_may_not_assume(emulator, ansible):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}})
    args = creds(server, app_instance_group_id='aig-1', role_arn='acs:ram::1234567890123456:role/not-mine',
                 sts_endpoint=server.sts_endpoint)
    proc, result = ansible.module(MODULE, args, check=False)
    assert 'role acs:ram::1234567890123456:role/not-mine' in result['msg'] and 'EntityNotExist.Role' in result['msg']
    assert 'Traceback' not in proc.stdout + proc.stderr and SECRET not in proc.stdout + proc.stderr


# --- bad input: a clear message naming the option or the cause, exit != 0, no traceback, no secret ---

BAD_INPUT = [
    ('page_size 0', dict(page_size=0), 'page_size'),
    ('page_size 101', dict(page_size=101), 'page_size'),
    ('page_size not a number', dict(page_size='x'), 'page_size'),
    ('empty group id', dict(app_instance_group_id=''), 'group id'),
    ('unknown status', dict(statuses=['DONE']), 'statuses'),
    ('non-loopback http endpoint', dict(endpoint='http://192.0.2.10:8080'), 'endpoint'),
    ('negative timeout', dict(timeout=-1), 'timeout'),
    ('unknown group', dict(app_instance_group_id='aig-nope'), "Delivery group 'aig-nope' does not exist"),
    ('wrong secret', dict(access_key_secret='wrong-secret-0000000'), 'SignatureDoesNotMatch'),
    ('unknown access key', dict(access_key_id='LTAI-unknown'), 'InvalidAccessKeyId.NotFound'),
    ('key without secret', dict(access_key_secret=None), 'access_key_secret'),
    ('profile and keys', dict(profile='ops'), 'mutually exclusive'),
    ('unknown ota_type', dict(ota_type='Sota'), 'ota_type'),
]


@pytest.mark.parametrize('name, change, words', BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input(emulator, ansible, name, change, words):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}})
    args = creds(server, app_instance_group_id='aig-1')
    args.update(change)
    args = {k: v for k, v in args.items() if v is not None}
    proc, result = ansible.module(MODULE, args, check=False)
    output = proc.stdout + proc.stderr
    assert words in result['msg'], result['msg']
    assert 'Traceback' not in output and 'module_stderr' not in result
    assert SECRET not in output and 'wrong-secret-0000000' not in output


def test_no_credentials_anywhere_names_what_was_tried(emulator, ansible):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}})
    proc, result = ansible.module(MODULE, {'app_instance_group_id': 'aig-1', 'endpoint': server.endpoint}, check=False)
    assert 'ALIBABA_CLOUD_ACCESS_KEY_ID' in result['msg'] and '.aliyun/config.json' in result['msg']
    assert 'Traceback' not in proc.stdout + proc.stderr
    assert server.stats()['requests'] == 0


def test_a_profile_that_does_not_exist(emulator, ansible):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}})
    proc, result = ansible.module(MODULE, {'app_instance_group_id': 'aig-1', 'endpoint': server.endpoint, 'profile': 'ghost'}, check=False)
    assert "profile 'ghost' not found" in result['msg']
    assert 'Traceback' not in proc.stdout + proc.stderr


def test_the_demo_group_is_in_flight_only_while_its_newest_task_runs(emulator, ansible):
    """aig-demo-rollout (sample_data.json) lists a 2025 STANDBY task below the newest one: superseded, history, named in a
    warning; the group is in flight while the newest task runs, and not after."""
    demo = json.loads((ROOT / 'tests' / 'emulator' / 'sample_data.json').read_text())['groups']['aig-demo-rollout']
    server = emulator({'aig-demo-rollout': demo})
    args = creds(server, app_instance_group_id='aig-demo-rollout')
    proc, running = ansible.module(MODULE, args, check=True)
    server.advance(25)   # the newest task (RUNNING for 20 s) has finished
    _proc, finished = ansible.module(MODULE, args, check=True)
    fields = ('newest_status', 'in_flight', 'succeeded', 'superseded_task_ids')
    assert [tuple(r['groups']['aig-demo-rollout'][f] for f in fields) for r in (running, finished)] == [
        ('RUNNING', True, False, ['ota-usqdsgm28n8kqjn5e']), ('FINISHED', False, True, ['ota-usqdsgm28n8kqjn5e'])]
    assert running['status_counts']['STANDBY'] == 1   # still listed as the API lists it
    assert 'aig-demo-rollout: taken as superseded' in proc.stdout + proc.stderr and 'ota-usqdsgm28n8kqjn5e STANDBY' in proc.stdout + proc.stderr
