# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role alibabacloud.appstreaming.ota_rollout through real ansible-playbook runs against the emulator.

The emulator's ``run`` timelines say how each approved task runs (seconds after its StartTime);
approvals are counted with its stats, never timed.
"""

from __future__ import annotations

import json

import pytest

from conftest import AK, SECRET, task

V1, V2 = '0.0.1-R-20220708.110604', '0.0.2-R-20221130.000000'
FINISH = [[0, 'RUNNING'], [2, 'FINISHED']]
FAIL = [[0, 'RUNNING'], [2, 'FAILED']]
FOREVER = [[0, 'RUNNING']]

PLAY = """- hosts: localhost
  gather_facts: false
  vars_files: [%(vars)s]
  module_defaults:
    group/alibabacloud.appstreaming.appstreaming:
      endpoint: "{{ endpoint }}"
      access_key_id: "{{ ak }}"
      access_key_secret: "{{ secret }}"
  tasks:
    - block:
        - ansible.builtin.include_role:
            name: alibabacloud.appstreaming.ota_rollout
      always:
        - ansible.builtin.copy:
            content: "{{ ota_rollout_result | default({}) | to_json }}"
            dest: "{{ out }}"
            mode: '0600'
          check_mode: false
"""


def group(run=None, version=V2, name=None, **extra):
    ota = {'ota_version': V1, 'new_ota_version': version, 'release_note': 'Fixes the clipboard.'}
    if run is not None:
        ota['run'] = run
    data = {'tasks': [task('ota-old-%s' % (name or 'x'), version=V1)], 'ota': ota}
    if name:
        data['name'] = name
    data.update(extra)
    return data


def rollout(ansible, server, variables, extra=(), check=None):
    """Run the role with ota_rollout_* VARIABLES; returns (proc, ota_rollout_result or None)."""
    number = len(ansible.outputs)
    out = ansible.workdir / ('rollout%d.json' % number)
    vars_file = ansible.workdir / ('rollout-vars%d.json' % number)
    variables = dict({'ota_rollout_poll_interval': 2, 'ota_rollout_wave_timeout': 60}, **variables)
    vars_file.write_text(json.dumps(dict(variables, endpoint=server.endpoint, ak=AK, secret=SECRET, out=str(out))))
    proc = ansible.playbook(PLAY % {'vars': vars_file}, extra=extra, check=check)
    text = out.read_text() if out.exists() else ''
    return proc, (json.loads(text) or None) if text else None


def approvals(server):
    return server.stats()['approvals_by_group']


def outcomes(result):
    return [(w['groups'], w['outcome']) for w in result['waves']]


FIVE = {'aig-1': group(FINISH, name='office-1'), 'aig-2': group(FINISH, name='office-2'), 'aig-3': group(FINISH, name='office-3'),
        'aig-4': group(FINISH, name='office-4'), 'aig-5': group(FINISH, name='office-5'),
        'aig-done': {'tasks': [], 'ota': {'ota_version': V2, 'new_ota_version': ''}, 'name': 'office-done'}}
IDS = ['aig-1', 'aig-2', 'aig-3', 'aig-4', 'aig-5']


def test_canary_then_two_waves_all_finish(emulator, ansible):
    server = emulator(FIVE)
    proc, result = rollout(ansible, server, {'ota_rollout_ota_version': V2, 'ota_rollout_app_instance_group_ids': IDS + ['aig-done'],
                                             'ota_rollout_batch_size': 2}, check=True)
    assert outcomes(result) == [(['aig-1'], 'succeeded'), (['aig-2', 'aig-3'], 'succeeded'), (['aig-4', 'aig-5'], 'succeeded')]
    assert result['success'] is True and result['release_note'] == 'Fixes the clipboard.'
    assert result['skipped'] == [{'app_instance_group_id': 'aig-done', 'reason': 'up to date (runs %s)' % V2}]
    assert approvals(server) == {g: 1 for g in IDS}
    assert all(server.ota_state(g)['up_to_date'] for g in IDS)
    assert [len(w['task_ids']) for w in result['waves']] == [1, 2, 2]
    assert 'All 3 wave(s) of %s succeeded: 5 group(s)' % V2 in proc.stdout


def test_a_failed_canary_stops_the_rollout_and_a_second_run_resumes(emulator, ansible):
    groups = dict(FIVE, **{'aig-1': group([FAIL, FINISH], name='office-1')})   # fails the first time, finishes the second
    server = emulator(groups)
    variables = {'ota_rollout_ota_version': V2, 'ota_rollout_name': 'office', 'ota_rollout_batch_size': 2}
    proc, result = rollout(ansible, server, variables)
    assert proc.returncode != 0 and result['success'] is False
    assert [w['outcome'] for w in result['waves']] == ['failed', 'not started', 'not started']
    canary = result['waves'][0]
    assert canary['groups'] == ['aig-1'] and canary['failed_tasks'][0]['task_id'] == canary['task_ids'][0]
    assert 'aig-1' in result['msg'] and canary['task_ids'][0] in result['msg'] and 'Later waves were not started' in result['msg']
    assert approvals(server) == {'aig-1': 1}   # no later group was approved

    proc, again = rollout(ansible, server, variables, check=True)
    assert again['success'] is True and approvals(server) == {g: 1 for g in IDS if g != 'aig-1'} | {'aig-1': 2}


def test_a_wave_that_times_out_stops_and_a_resume_waits_for_it_without_approving_again(emulator, ansible):
    groups = dict(FIVE, **{'aig-2': group([[0, 'RUNNING'], [15, 'FINISHED']], name='office-2')})
    server = emulator(groups)
    variables = {'ota_rollout_ota_version': V2, 'ota_rollout_app_instance_group_ids': ['aig-1', 'aig-2', 'aig-3'],
                 'ota_rollout_batch_size': 1, 'ota_rollout_wave_timeout': 4}
    proc, result = rollout(ansible, server, variables)
    assert proc.returncode != 0
    assert [w['outcome'] for w in result['waves']] == ['succeeded', 'timed out', 'not started']
    assert approvals(server) == {'aig-1': 1, 'aig-2': 1}
    in_flight = result['waves'][1]['task_ids']

    proc, again = rollout(ansible, server, dict(variables, ota_rollout_wave_timeout=60), check=True)
    assert again['skipped'] == [{'app_instance_group_id': 'aig-1', 'reason': 'up to date (runs %s)' % V2}]
    assert outcomes(again) == [(['aig-2'], 'succeeded'), (['aig-3'], 'succeeded')]
    assert again['waves'][0]['task_ids'] == in_flight and again['waves'][0]['actions'] == {'aig-2': 'already approved'}
    assert approvals(server) == {'aig-1': 1, 'aig-2': 1, 'aig-3': 1}   # aig-2 waited for, not approved again


def test_check_mode_prints_the_plan_and_approves_nothing(emulator, ansible):
    server = emulator(dict(FIVE, **{'aig-other': group(version='0.0.9-R', name='office-other')}))
    proc, result = rollout(ansible, server, {'ota_rollout_ota_version': V2, 'ota_rollout_name': 'office', 'ota_rollout_canary': 2,
                                             'ota_rollout_batch_size': 3}, extra=['--check'], check=True)
    assert result['check_mode'] is True and result['success'] is True
    assert [w['outcome'] for w in result['waves']] == ['planned', 'planned']
    assert sorted(g for w in result['waves'] for g in w['groups']) == IDS and [len(w['groups']) for w in result['waves']] == [2, 3]
    assert {s['app_instance_group_id'] for s in result['skipped']} == {'aig-done', 'aig-other'}
    assert 'Release note: Fixes the clipboard.' in proc.stdout and 'check mode: nothing is approved' in proc.stdout
    assert server.stats()['calls'].get('ApproveOtaTask', 0) == 0


def test_throttling_and_server_errors_on_every_api_still_approve_each_group_once(emulator, ansible):
    faults = {'every': {'http500': 7, 'http503': 11}, 'schedule': {'2': 'throttle', '9': 'throttle', '20': 'throttle'}, 'retry_after_ms': 20}
    server = emulator(FIVE, faults=faults)
    _proc, result = rollout(ansible, server, {'ota_rollout_ota_version': V2, 'ota_rollout_app_instance_group_ids': IDS,
                                              'ota_rollout_batch_size': 2}, check=True)
    assert result['success'] is True and approvals(server) == {g: 1 for g in IDS}
    assert sum(server.stats()['faults_injected'].values()) >= 5


BAD = [
    ('waves repeat a group', {'ota_rollout_waves': [['aig-1'], ['aig-2', 'aig-1']]},
     'waves: aig-1 is in wave 1 and again in wave 2'),
    ('batch_size 0', {'ota_rollout_batch_size': 0}, 'batch_size must be at least 1, got 0'),
    ('empty group list', {'ota_rollout_app_instance_group_ids': []}, 'app_instance_group_ids needs at least one delivery group id'),
    ('unknown group', {'ota_rollout_app_instance_group_ids': ['aig-1', 'aig-nope']},
     'app_instance_group_ids: aig-nope is not a delivery group of region cn-shanghai'),
    ('unknown group in waves', {'ota_rollout_waves': [['aig-1'], ['aig-far']]}, 'waves: aig-far is not a delivery group of region'),
    ('empty version', {'ota_rollout_ota_version': ''}, 'ota_version must not be empty'),
    ('missing version', {'ota_rollout_ota_version': None}, 'ota_rollout_ota_version'),
]


@pytest.mark.parametrize('name, variables, words', BAD, ids=[row[0] for row in BAD])
def test_bad_input_fails_before_any_approval(emulator, ansible, name, variables, words):
    server = emulator(dict(FIVE, **{'aig-far': group(FINISH, region_id='cn-hangzhou')}))
    variables = dict({'ota_rollout_ota_version': V2}, **variables)
    proc, _result = rollout(ansible, server, {k: v for k, v in variables.items() if v is not None})
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, name
    assert words in output, output[-3000:]
    assert 'Traceback' not in output
    assert server.stats()['calls'].get('ApproveOtaTask', 0) == 0
