# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ota_task_info module, its main() run in-process against the emulator."""

from __future__ import annotations

import json

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.modules import ota_task_info

from ...helpers import AK, SECRET, generated, params, patch_module_args, task


def run_module(capsys, args):
    """main() with these module args; returns (exit status, the JSON result, what went to stderr).

    In-process, ansible-core sees a controller: module warnings go to the Display (stderr), not to the result.
    """
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_info:
            ota_task_info.main()
    captured = capsys.readouterr()
    assert SECRET not in captured.out and SECRET not in captured.err
    return exit_info.value.code, json.loads(captured.out), captured.err


GROUPS = {'aig-1': {'tasks': [task('ota-run', 'RUNNING', start='2022-08-05T10:00:00+08:00'), task('ota-ok')]}, 'aig-2': generated(120)}


def test_lists_every_task_and_summarises(emulator, capsys):
    server = emulator(GROUPS)
    status, result, _err = run_module(capsys, params(server, app_instance_group_ids=['aig-1', 'aig-2']))
    assert status == 0 and result['changed'] is False and 'failed' not in result
    assert [t['task_id'] for t in result['ota_tasks'][:2]] == ['ota-run', 'ota-ok'] and len(result['ota_tasks']) == 122
    assert result['total_count'] == 122 and result['all_terminal'] is False
    assert result['status_counts'] == {'RUNNING': 1, 'FINISHED': 121}
    assert result['groups']['aig-2'] == {'total_count': 120, 'status_counts': {'FINISHED': 120}, 'all_terminal': True,
                                         'newest_task_id': result['ota_tasks'][2]['task_id'], 'newest_status': 'FINISHED',
                                         'in_flight': False, 'succeeded': True, 'superseded_task_ids': []}
    assert result['succeeded'] is False   # aig-1's newest task is still running


def test_the_alias_takes_one_group_and_filters_apply(emulator, capsys):
    server = emulator(GROUPS)
    status, result, _err = run_module(capsys, params(server, app_instance_group_id='aig-1', statuses=['RUNNING']))
    assert status == 0 and [t['task_id'] for t in result['ota_tasks']] == ['ota-run'] and result['total_count'] == 2


def test_runs_in_check_mode(emulator, capsys):
    server = emulator(GROUPS)
    status, result, _err = run_module(capsys, params(server, app_instance_group_ids=['aig-1'], _ansible_check_mode=True))
    assert status == 0 and result['total_count'] == 2 and not result.get('skipped')


def test_credentials_and_region_from_the_environment(emulator, capsys, monkeypatch):
    server = emulator(GROUPS)
    monkeypatch.setenv('ALIBABA_CLOUD_ACCESS_KEY_ID', AK)
    monkeypatch.setenv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', SECRET)
    monkeypatch.setenv('ALIBABA_CLOUD_REGION_ID', 'ap-southeast-1')
    status, result, _err = run_module(capsys, {'endpoint': server.endpoint, 'app_instance_group_ids': ['aig-1', 'aig-nope']})
    assert status == 1 and result['failed']
    assert "Delivery group 'aig-nope' does not exist in region ap-southeast-1" in result['msg']


def test_an_api_error_fails_with_its_details(emulator, capsys):
    server = emulator(GROUPS)
    status, result, _err = run_module(capsys, params(server, app_instance_group_ids=['aig-nope']))
    assert status == 1 and result['failed']
    error = result['error']
    assert error['code'] == 'InvalidAppInstanceGroup.NotFound' and error['http_status'] == 400
    assert error['request_id'] and error['recommend'].endswith('requestId=%s' % error['request_id'])
    assert result['msg'].startswith('ListOtaTask failed: InvalidAppInstanceGroup.NotFound: ')


def test_a_wrong_secret_fails_without_showing_it(emulator, capsys):
    server = emulator(GROUPS)
    status, result, _err = run_module(capsys, params(server, app_instance_group_ids=['aig-1'], access_key_secret='wrong-' + SECRET))
    assert status == 1 and result['error']['code'] == 'SignatureDoesNotMatch'
    assert 'Check access_key_secret' in result['msg']


@pytest.mark.parametrize('args, words', [
    ({'page_size': 0}, 'page_size must be between 1 and 100, got 0'),
    ({'app_instance_group_ids': [' ']}, 'app_instance_group_ids must not contain an empty group id'),
    ({'statuses': ['DONE']}, 'statuses'),
    ({'access_key_id': None}, 'access_key_id and access_key_secret must be given together (access_key_id is missing)'),
    ({'endpoint': 'http://10.1.2.3:8080'}, 'plain http:// is only allowed to a loopback host'),
])
def test_option_errors_fail_and_name_the_option(emulator, capsys, args, words):
    server = emulator(GROUPS)
    module_args = params(server, app_instance_group_ids=['aig-1'])
    module_args.update(args)
    status, result, _err = run_module(capsys, module_args)
    assert status == 1 and result['failed'] and words in result['msg']
    assert server.stats()['requests'] == 0


def test_warnings_are_shown(emulator, capsys):
    # a group name of its own: the Display shows each distinct warning once per process
    server = emulator({'aig-churn-module': generated(250)}, faults={'every': {'insert_head': 1}})
    status, result, err = run_module(capsys, params(server, app_instance_group_ids=['aig-churn-module']))
    assert status == 0
    # ansible-core 2.19+ shows module warnings on the Display (stderr); older cores return them in the result
    assert 'the task list of aig-churn-module kept changing' in err + json.dumps(result.get('warnings', []))
