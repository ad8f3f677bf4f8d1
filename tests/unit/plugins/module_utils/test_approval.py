# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Approving a version for delivery groups (approval.py), against the emulator: read, decide, approve, read again."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import approval
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import OtaTaskClient
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import Approval

from ...helpers import Sleeps, validated
from .test_client_groups import V1, V2, calls, pending, up_to_date

NOW = datetime.datetime.now(datetime.timezone.utc)
LATER = (NOW + datetime.timedelta(days=2)).replace(second=0, microsecond=0)


def run(server, group_ids, check_mode=False, start=None, version=V2):
    with OtaTaskClient(validated(server), sleep=Sleeps(), rng=lambda: 1.0) as client:
        spec = Approval(tuple(group_ids), version, start or NOW, start is not None)
        return approval.run(client, spec, check_mode)


def actions(result):
    return {g['app_instance_group_id']: g['action'] for g in result['groups']}


GROUPS = {'aig-new': pending(), 'aig-done': up_to_date(), 'aig-other': {'tasks': [], 'ota': {'ota_version': V1, 'new_ota_version': '9.9'}}}


def test_approves_what_needs_it_and_reports_the_new_task_ids(emulator):
    server = emulator(GROUPS)
    pending_id = server.ota_info('aig-new')['TaskId']
    result, failed, warnings = run(server, ['aig-new', 'aig-done', 'aig-other'])
    assert failed == [] and warnings == [] and result['changed']
    assert actions(result) == {'aig-new': 'approved', 'aig-done': 'up to date', 'aig-other': 'skipped'}
    new = result['groups'][0]
    assert new['task_id'] == server.ota_info('aig-new')['TaskId'] != pending_id and new['previous_task_id'] == pending_id
    assert result['task_ids'] == [new['task_id']] == result['in_flight_task_ids'] and result['approved'] == ['aig-new']
    assert result['groups'][2]['reason'] == 'offers version 9.9, not %s' % V2
    assert server.stats()['approvals_by_group'] == {'aig-new': 1}
    # read: 1 listing of the groups + 1 task list (only the group offering the version); then 1 re-read
    assert calls(server, 'ListAppInstanceGroup') == 2 and server.stats()['list_calls_by_group'] == {'aig-new': 1}

    again, failed, _warnings = run(server, ['aig-new', 'aig-done', 'aig-other'])
    assert not again['changed'] and actions(again)['aig-new'] == 'already approved' and again['task_ids'] == []
    assert again['in_flight_task_ids'] == [new['task_id']]
    assert calls(server, 'ApproveOtaTask') == 1


def test_check_mode_writes_nothing_and_the_diff_shows_the_schedule(emulator):
    server = emulator(GROUPS)
    result, _failed, _warnings = run(server, ['aig-new'], check_mode=True, start=LATER)
    assert result['changed'] and actions(result) == {'aig-new': 'approved'} and result['task_ids'] == []
    assert calls(server, 'ApproveOtaTask') == 0
    assert result['diff']['before']['aig-new']['task_status'] is None
    assert result['diff']['after']['aig-new']['task_status'] == 'STANDBY'
    assert result['diff']['after']['aig-new']['start_time'] == LATER.strftime('%Y-%m-%dT%H:%MZ')


def test_an_explicit_new_start_time_reschedules_a_standby_task(emulator):
    server = emulator(GROUPS)
    run(server, ['aig-new'], start=LATER)
    same, _f, _w = run(server, ['aig-new'], start=LATER)
    assert actions(same) == {'aig-new': 'already approved'}
    later = LATER + datetime.timedelta(hours=1)
    moved, _f, _w = run(server, ['aig-new'], start=later)
    assert actions(moved) == {'aig-new': 'rescheduled'} and moved['groups'][0]['start_time'] == later.strftime('%Y-%m-%dT%H:%MZ')
    assert server.stats()['reschedules_by_group'] == {'aig-new': 1}
    assert server.ota_state('aig-new')['task']['TaskId'] == moved['groups'][0]['task_id']


def test_an_unknown_group_or_one_of_another_region_fails_before_any_write(emulator):
    server = emulator(dict(GROUPS, **{'aig-far': pending(region='cn-hangzhou')}))
    with pytest.raises(OptionError) as err:
        run(server, ['aig-new', 'aig-nope'])
    assert str(err.value) == ('app_instance_group_ids: aig-nope is not a delivery group of region cn-shanghai (unknown, or in '
                              'another region: check region_id); nothing was approved')
    with pytest.raises(OptionError) as err:
        run(server, ['aig-far', 'aig-new'])
    assert str(err.value) == 'app_instance_group_ids: aig-far is in region cn-hangzhou, not region_id cn-shanghai; nothing was approved'
    assert calls(server, 'ApproveOtaTask') == 0 and calls(server, 'ListOtaTask') == 0


def test_a_failing_group_does_not_stop_the_others(emulator):
    server = emulator({'aig-new': pending(), 'aig-b': pending(task_id='ota-pending-b')},
                      faults={'actions': {'ApproveOtaTask': {'every': {'http500': 1}}}})
    result, failed, _warnings = run(server, ['aig-new', 'aig-b'])
    assert failed == ['aig-b', 'aig-new'] and not result['changed'] and result['approved'] == []
    assert {g['action'] for g in result['groups']} == {'failed'} and result['groups'][0]['error']['code'] == 'InternalError'
