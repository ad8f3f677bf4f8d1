# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""role_arn assumes the role once per process; expired or rejected tokens give a clear error."""

from __future__ import annotations

import pytest

from conftest import (LOOKUP_TASKS, MODULE, ROLE_ARN, ROLE_TASKS, account, add_secret, client_params, creds, ids, lookup_vars, role_vars, task,
                      truth)

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import Client
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import ApiError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.tasks import parse as parse_query

STS_AK, STS_SECRET, STS_TOKEN = 'STS.expired-1', 'sts-secret-expired-5f2a', 'sts-token-expired-8c1d3e'
EXPIRED = account(access_key_id=STS_AK, access_key_secret=STS_SECRET, security_token=STS_TOKEN, expired=True, roles=[])


def role_params(server, **extra):
    return client_params(server, role_arn=ROLE_ARN, sts_endpoint=server.sts_endpoint, **extra)


def test_clients_of_one_process_share_one_assume_role(emulator):
    server = emulator({'aig-1': {'generate': {'count': 250}}})
    params = role_params(server, app_instance_group_ids=['aig-1'])
    for _run in range(3):
        with Client(params) as client:
            assert ids(client.task_report(parse_query(params))['ota_tasks']) == truth(server, 'aig-1')
    with Client(dict(params, role_session_name='another-session')) as client:
        client.task_report(parse_query(params))
    assert server.stats()['calls'] == {'AssumeRole': 2, 'ListOtaTask': 4 * 3}


def test_lookups_in_a_loop_assume_the_role_once(emulator, ansible):
    server = emulator({'aig-%d' % n: {'generate': {'count': 120}} for n in range(3)})
    tasks = '''    - ansible.builtin.set_fact:
        counts: "{{ counts | default([]) + [query('alibabacloud.appstreaming.ota_tasks', item) | length] }}"
      loop: "{{ group_ids }}"
    - ansible.builtin.copy:
        content: "{{ counts | to_json }}"
        dest: "{{ out }}"
        mode: '0600'
'''
    _proc, counts = ansible.play(tasks, lookup_vars(server, group_ids=['aig-0', 'aig-1', 'aig-2'], ansible_appstreaming_role_arn=ROLE_ARN,
                                                    ansible_appstreaming_sts_endpoint=server.sts_endpoint), check=True)
    assert counts == [120, 120, 120]
    assert server.stats()['calls'] == {'AssumeRole': 1, 'ListOtaTask': 3 * 2}


def test_the_role_assumes_once_for_all_its_polls(emulator, ansible):
    running = task('ota-1', 'RUNNING', start='2022-08-05T10:00:00+08:00', timeline=[[0, 'RUNNING'], [3, 'FINISHED']])
    server = emulator({'aig-1': {'tasks': [running], 'generate': {'count': 150}}}, clock_from_first_request=True)
    _proc, result = ansible.play(ROLE_TASKS, role_vars(server, ota_wait_app_instance_group_ids=['aig-1'], ota_wait_role_arn=ROLE_ARN,
                                                       ota_wait_sts_endpoint=server.sts_endpoint, ota_wait_poll_interval=2), check=True)
    assert result['success'] and result['polls'] >= 2
    assert server.stats()['calls'] == {'AssumeRole': 1, 'ListOtaTask': 2 * result['polls']}


def test_an_expired_assumed_key_says_to_check_the_clock(emulator):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}})
    params = role_params(server, app_instance_group_ids=['aig-1'])
    with Client(params) as client:
        client.task_report(parse_query(params))
        server.set_clock_offset(3600 + 60)          # the STS key is now past its Expiration for the API
        with pytest.raises(ApiError) as err:
            client.task_report(parse_query(params))
    assert err.value.code == 'InvalidSecurityToken.Expired'
    assert 'temporary key assumed for role_arn was rejected as expired' in str(err.value) and 'clock' in str(err.value)
    assert server.stats()['calls'] == {'AssumeRole': 1, 'ListOtaTask': 2}   # not retried


@pytest.mark.parametrize('target', ['module', 'lookup', 'role'])
def test_an_expired_security_token_is_a_clear_error(emulator, ansible, target):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}}, accounts=[account(), EXPIRED])
    keys = dict(access_key_id=STS_AK, access_key_secret=STS_SECRET, security_token=STS_TOKEN)
    if target == 'module':
        proc, result = ansible.module(MODULE, creds(server, app_instance_group_id='aig-1', **keys), check=False)
        message = result['msg']
    elif target == 'lookup':
        variables = lookup_vars(server, group_ids=['aig-1'], **{'ansible_appstreaming_' + k: v for k, v in keys.items()})
        proc, _tasks = ansible.play(LOOKUP_TASKS, variables, check=False)
        message = proc.stdout
    else:
        variables = role_vars(server, ota_wait_app_instance_group_ids=['aig-1'], **{'ota_wait_' + k: v for k, v in keys.items()})
        proc, result = ansible.play(ROLE_TASKS, variables, check=False)
        message = result['msg']
    assert 'InvalidSecurityToken.Expired' in message and 'The STS security token has expired: get a new one' in message
    assert 'Traceback' not in proc.stdout + proc.stderr
    assert server.stats()['calls'] == {'ListOtaTask': 1}


def test_a_rejected_assume_role_names_the_role_and_the_cause(emulator, ansible):
    add_secret('wrong-secret-for-sts-0000')
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}})
    args = creds(server, app_instance_group_id='aig-1', access_key_secret='wrong-secret-for-sts-0000', role_arn=ROLE_ARN,
                 sts_endpoint=server.sts_endpoint)
    proc, result = ansible.module(MODULE, args, check=False)
    assert result['msg'].startswith('could not get credentials from role %s assumed with access_key_id option' % ROLE_ARN)
    assert 'SignatureDoesNotMatch' in result['msg'] and 'Check access_key_secret' in result['msg']
    assert 'Traceback' not in proc.stdout + proc.stderr
    assert server.stats()['calls'] == {'AssumeRole': 1}
