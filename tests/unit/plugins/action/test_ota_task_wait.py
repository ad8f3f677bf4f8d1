# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ota_task_wait action, loaded by name, against the emulator (only waits that end at the first poll:
the action uses the real clock; timelines are tested on a fake one in test_waiter.py)."""

from __future__ import annotations

from types import SimpleNamespace

from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import action_loader
from ansible.playbook.play_context import PlayContext

from ...helpers import SECRET, params, task


def run_action(args, task_vars=None):
    plugin_task = SimpleNamespace(args=args, async_val=0, check_mode=False, action='alibabacloud.appstreaming.ota_task_wait')
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir=None))
    action = action_loader.get('alibabacloud.appstreaming.ota_task_wait', task=plugin_task, connection=connection,
                               play_context=PlayContext(), loader=DataLoader(), templar=None, shared_loader_obj=None)
    assert action is not None
    return action.run(task_vars=task_vars if task_vars is not None else {'inventory_hostname': 'web1'})


GROUPS = {'aig-1': {'tasks': [task('ota-ok'), task('ota-old', start='2022-08-01T10:00:00+08:00')]},
          'aig-bad': {'tasks': [task('ota-bad', 'FAILED'), task('ota-run', 'RUNNING', start='2022-08-01T10:00:00+08:00')]},
          'aig-empty': {'tasks': []}}


def test_tasks_already_finished_end_the_wait_at_the_first_poll(emulator, capsys):
    server = emulator(GROUPS)
    result = run_action(params(server, app_instance_group_ids=['aig-1', 'aig-empty']))
    assert (result['failed'], result['changed'], result['success'], result['polls']) == (False, False, True, 1)
    assert result['msg'] == ('OTA updates done after 0s: aig-1 nothing in flight: newest task ota-ok FINISHED on 2022-08-04T14:36:00+08:00 '
                             '(1 older task in history); aig-empty no OTA tasks: nothing to wait for')
    out = capsys.readouterr().out
    assert '[web1] aig-1: nothing in flight: newest task ota-ok FINISHED' in out and SECRET not in out and SECRET not in repr(result)


def test_a_failed_task_fails_the_action(emulator):
    server = emulator(GROUPS)
    result = run_action(params(server, app_instance_group_ids=['aig-bad']))
    assert result['failed'] is True and result['success'] is False and result['timed_out'] is False
    assert [t['task_id'] for t in result['failed_tasks']] == ['ota-bad']
    assert result['msg'].startswith('OTA task(s) failed after 0s: aig-bad/ota-bad (')


def test_option_errors_fail_before_any_request(emulator):
    server = emulator(GROUPS)
    result = run_action(params(server, app_instance_group_ids=['aig-1'], poll_interval=1))
    assert result['failed'] is True and result['msg'] == 'poll_interval must be at least 2 seconds, got 1.0'
    assert server.stats()['requests'] == 0


def test_api_errors_fail_with_their_details(emulator):
    server = emulator(GROUPS)
    result = run_action(params(server, app_instance_group_ids=['aig-nope']))
    assert result['failed'] is True and result['error']['code'] == 'InvalidAppInstanceGroup.NotFound'
    assert "Delivery group 'aig-nope' does not exist" in result['msg']


def test_the_documented_return_matches_what_each_outcome_returns(emulator):
    """RETURN said `returned: always` for keys an error result does not have (issue 11)."""
    import yaml
    from ansible_collections.alibabacloud.appstreaming.plugins.modules import ota_task_wait
    documented = yaml.safe_load(ota_task_wait.RETURN)
    server = emulator(GROUPS)
    outcomes = {'ran': run_action(params(server, app_instance_group_ids=['aig-bad'])),
                'error': run_action(params(server, app_instance_group_ids=['aig-nope']))}
    for key, doc in documented.items():
        returned = doc['returned']
        expect = {'always': {'ran', 'error'}, 'when the wait ran': {'ran'}, 'on an API error': {'error'}}[returned]
        for outcome, result in outcomes.items():
            assert (key in result) == (outcome in expect), (key, returned, outcome)
