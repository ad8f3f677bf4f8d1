# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Approving a version for delivery groups (approval.py): its options, and against the emulator: read, decide, approve, read again."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import approval
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import Client
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError

from ...helpers import Sleeps, validated
from .test_client_groups import V1, V2, calls, pending, up_to_date

NOW = datetime.datetime.now(datetime.timezone.utc)
LATER = (NOW + datetime.timedelta(days=2)).replace(second=0, microsecond=0)


def run(server, group_ids, check_mode=False, start=None, version=V2):
    with Client(validated(server), sleep=Sleeps(), rng=lambda: 1.0) as client:
        spec = approval.Approval(tuple(group_ids), version, start or NOW, start is not None)
        return approval.run(client, spec, check_mode)


def actions(result):
    return {g['app_instance_group_id']: g['action'] for g in result['groups']}


GROUPS = {'aig-new': pending(), 'aig-done': up_to_date(), 'aig-other': {'tasks': [], 'ota': {'ota_version': V1, 'new_ota_version': '9.9'}}}


def test_approves_what_needs_it_and_reports_the_new_task_ids(emulator):
    server = emulator(GROUPS)
    pending_id = server.ota_info('aig-new')['TaskId']
    result, failed = run(server, ['aig-new', 'aig-done', 'aig-other'])
    assert failed == [] and result['changed']
    assert actions(result) == {'aig-new': 'approved', 'aig-done': 'up to date', 'aig-other': 'skipped'}
    new = result['groups'][0]
    assert new['task_id'] == server.ota_info('aig-new')['TaskId'] != pending_id and new['previous_task_id'] == pending_id
    assert result['task_ids'] == [new['task_id']] == result['in_flight_task_ids'] and result['approved'] == ['aig-new']
    assert result['groups'][2]['reason'] == 'offers version 9.9, not %s' % V2
    assert server.stats()['approvals_by_group'] == {'aig-new': 1}
    # read: 1 listing of the groups + 1 task list (only the group offering the version); then 1 re-read
    assert calls(server, 'ListAppInstanceGroup') == 2 and server.stats()['list_calls_by_group'] == {'aig-new': 1}

    again, failed = run(server, ['aig-new', 'aig-done', 'aig-other'])
    assert not again['changed'] and actions(again)['aig-new'] == 'already approved' and again['task_ids'] == []
    assert again['in_flight_task_ids'] == [new['task_id']]
    assert calls(server, 'ApproveOtaTask') == 1


def test_check_mode_writes_nothing_and_the_diff_shows_the_schedule(emulator):
    server = emulator(GROUPS)
    result, _failed = run(server, ['aig-new'], check_mode=True, start=LATER)
    assert result['changed'] and actions(result) == {'aig-new': 'approved'} and result['task_ids'] == []
    assert calls(server, 'ApproveOtaTask') == 0
    assert result['diff']['before']['aig-new']['task_status'] is None
    assert result['diff']['after']['aig-new']['task_status'] == 'STANDBY'
    assert result['diff']['after']['aig-new']['start_time'] == LATER.strftime('%Y-%m-%dT%H:%MZ')


def test_an_explicit_new_start_time_reschedules_a_standby_task(emulator):
    server = emulator(GROUPS)
    run(server, ['aig-new'], start=LATER)
    same, _f = run(server, ['aig-new'], start=LATER)
    assert actions(same) == {'aig-new': 'already approved'}
    later = LATER + datetime.timedelta(hours=1)
    moved, _f = run(server, ['aig-new'], start=later)
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
    result, failed = run(server, ['aig-new', 'aig-b'])
    assert failed == ['aig-b', 'aig-new'] and not result['changed'] and result['approved'] == []
    assert {g['action'] for g in result['groups']} == {'failed'} and result['groups'][0]['error']['code'] == 'InternalError'


# --- the options (parse) ---

OPTIONS_NOW = datetime.datetime(2026, 11, 30, 6, 0, 30, tzinfo=datetime.timezone.utc)


def test_approval_defaults_to_now_and_keeps_group_order():
    spec = approval.parse({'app_instance_group_ids': ['aig-2', ' aig-1 ', 'aig-2'], 'ota_version': ' v2 ', 'start_time': 'now'}, OPTIONS_NOW)
    assert spec == approval.Approval(('aig-2', 'aig-1'), 'v2', OPTIONS_NOW, False, OPTIONS_NOW)
    assert approval.parse({'app_instance_group_ids': ['aig-1'], 'ota_version': 'v2'}, OPTIONS_NOW).explicit_start is False


@pytest.mark.parametrize('value, utc', [
    ('2026-11-30T06:00Z', '2026-11-30 06:00:00+00:00'),            # 30 s ago: allowed
    ('2026-11-30T13:56+08:00', '2026-11-30 05:56:00+00:00'),       # 4.5 minutes ago: allowed
    ('2027-01-01T00:00:00-05:00', '2027-01-01 05:00:00+00:00'),
])
def test_an_explicit_start_time(value, utc):
    spec = approval.parse({'app_instance_group_ids': ['aig-1'], 'ota_version': 'v2', 'start_time': value}, OPTIONS_NOW)
    assert spec.explicit_start and str(spec.start_time.astimezone(datetime.timezone.utc)) == utc


@pytest.mark.parametrize('params, words', [
    ({'app_instance_group_ids': []}, 'app_instance_group_ids needs at least one delivery group id'),
    ({'app_instance_group_ids': ['aig-1', '']}, 'app_instance_group_ids must not contain an empty group id'),
    ({'ota_version': ''}, 'ota_version must not be empty'),
    ({'ota_version': '  '}, 'ota_version must not be empty'),
    ({'ota_version': None}, 'ota_version must not be empty'),
    ({'start_time': '2026-11-30T06:00'}, "start_time '2026-11-30T06:00' has no time zone"),
    ({'start_time': 'tonight'}, "start_time 'tonight' is not an ISO 8601 date and time"),
    ({'state': 'absent'}, 'state must be approved'),
])
def test_bad_approvals_name_the_option(params, words):
    base = {'app_instance_group_ids': ['aig-1'], 'ota_version': 'v2', 'start_time': 'now'}
    base.update(params)
    with pytest.raises(OptionError) as err:
        approval.parse(base, OPTIONS_NOW)
    assert words in str(err.value)


def test_a_start_time_in_the_past_is_refused_only_when_an_approval_is_to_be_sent():
    """approval.parse accepts it (a re-run still reports the groups); refuse_past_start is called before a write."""
    base = {'app_instance_group_ids': ['aig-1'], 'ota_version': 'v2'}
    old = approval.parse(dict(base, start_time='2026-11-30T05:55Z'), OPTIONS_NOW)
    with pytest.raises(OptionError) as err:
        approval.refuse_past_start(old)
    assert str(err.value).startswith('start_time 2026-11-30T05:55Z is more than 5 minutes in the past (now is 2026-11-30T06:00 UTC)')
    with pytest.raises(OptionError, match='^ota_rollout_start_time 2026-11-30T05:55Z is more than 5 minutes'):
        approval.refuse_past_start(old, 'ota_rollout_start_time')
    for value in ('now', '2026-11-30T05:56Z', '2026-12-01T00:00Z'):
        approval.refuse_past_start(approval.parse(dict(base, start_time=value), OPTIONS_NOW))
