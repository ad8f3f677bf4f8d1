# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The task model: what to list (its options), conversion, terminal statuses, filters and summaries."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import tasks
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError


def raw(task_id, status, version='v1'):
    return {'TaskId': task_id, 'TaskDisplayStatus': status, 'OtaVersion': version, 'TaskStartTime': '2022-08-04T14:36:00+08:00'}


def test_to_task_is_snake_case_with_the_group():
    assert tasks.to_task(raw('ota-1', 'RUNNING'), 'aig-1') == {
        'task_id': 'ota-1', 'task_display_status': 'RUNNING', 'ota_version': 'v1',
        'task_start_time': '2022-08-04T14:36:00+08:00', 'app_instance_group_id': 'aig-1'}


def test_terminal_statuses():
    assert {s for s in tasks.STATUSES if tasks.is_terminal(s)} == {'FINISHED', 'PART_FINISHED', 'FAILED', 'TERMINATED'}
    assert not tasks.is_terminal('PAUSED')


def test_filters_combine_and_keep_order():
    items = [tasks.to_task(raw('a', 'RUNNING', 'v1'), 'g'), tasks.to_task(raw('b', 'FAILED', 'v2'), 'g'),
             tasks.to_task(raw('c', 'RUNNING', 'v2'), 'g')]
    assert [t['task_id'] for t in tasks.filter_tasks(items, statuses=['RUNNING'])] == ['a', 'c']
    assert [t['task_id'] for t in tasks.filter_tasks(items, statuses=['RUNNING'], ota_version='v2')] == ['c']
    assert [t['task_id'] for t in tasks.filter_tasks(items, task_ids=['c', 'b'])] == ['b', 'c']
    assert tasks.filter_tasks(items) == items


def test_summary_counts_and_unknown_statuses_are_not_terminal():
    items = [tasks.to_task(raw('a', 'FINISHED'), 'g'), tasks.to_task(raw('b', 'PAUSED'), 'g')]
    assert tasks.summarize(items) == {'status_counts': {'FINISHED': 1, 'PAUSED': 1}, 'all_terminal': False}
    assert tasks.unknown_statuses(items) == ['PAUSED']
    assert tasks.summarize([]) == {'status_counts': {}, 'all_terminal': True}


def test_to_task_shares_repeated_statuses_and_versions():
    strings = {}
    first = tasks.to_task(raw('a', ''.join(['RUN', 'NING']), ''.join(['v', '1'])), 'g', strings)
    second = tasks.to_task(raw('b', ''.join(['RUN', 'NING']), ''.join(['v', '1'])), 'g', strings)
    assert first['task_display_status'] is second['task_display_status']
    assert first['ota_version'] is second['ota_version']
    assert second == tasks.to_task(raw('b', 'RUNNING', 'v1'), 'g')


def test_the_shared_strings_stop_growing():
    strings = {}
    for i in range(tasks.MAX_SHARED_STRINGS + 50):
        task = tasks.to_task(raw('t%d' % i, 'FINISHED', 'v%d' % i), 'g', strings)
        assert task['ota_version'] == 'v%d' % i
    assert len(strings) == tasks.MAX_SHARED_STRINGS


def query(**params):
    base = dict(app_instance_group_ids=['aig-1'], ota_type='Fota')
    base.update(params)
    return tasks.parse(base)


def test_query_deduplicates_groups_keeping_order():
    assert query(app_instance_group_ids=['aig-2', 'aig-1', 'aig-2']).group_ids == ('aig-2', 'aig-1')


@pytest.mark.parametrize('params, words', [
    (dict(app_instance_group_ids=['aig-1', '']), 'empty group id'),
    (dict(app_instance_group_ids=[]), 'at least one'),
    (dict(page_size=0), 'page_size must be between 1 and 100'),
    (dict(page_size=101), 'page_size must be between 1 and 100'),
    (dict(page_number=0), 'page_number must be at least 1'),
    (dict(statuses=['DONE']), "statuses: 'DONE'"),
    (dict(ota_type='Sota'), 'ota_type'),
])
def test_bad_queries(params, words):
    with pytest.raises(OptionError, match=words):
        query(**params)
