# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""events.py without I/O: listings in, events out (the event source's tests run it against the emulator)."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.events import EventTracker, backoff, source_config


def listed(*pairs):
    """Tasks in API order (newest first) from (task_id, status) pairs."""
    return [{'task_id': task_id, 'task_display_status': status, 'ota_version': 'v', 'task_start_time': 'T',
             'app_instance_group_id': 'aig-1'} for task_id, status in pairs]


def brief(events):
    return [(e['task_id'], e['previous_status'], e['task_display_status']) if e['type'] == 'ota_task'
            else ('group', e['newest_status'], e['succeeded']) for e in events]


def test_two_updates_in_a_row_each_settle_once():
    tracker = EventTracker(['aig-1'])
    assert tracker.feed('aig-1', listed(('old', 'FINISHED'))) == []                                   # baseline, done
    assert brief(tracker.feed('aig-1', listed(('u1', 'STANDBY'), ('old', 'FINISHED')))) == [('u1', None, 'STANDBY')]
    assert tracker.feed('aig-1', listed(('u1', 'STANDBY'), ('old', 'FINISHED'))) == []
    assert brief(tracker.feed('aig-1', listed(('u1', 'FINISHED'), ('old', 'FINISHED')))) == [
        ('u1', 'STANDBY', 'FINISHED'), ('group', 'FINISHED', True)]
    assert tracker.feed('aig-1', listed(('u1', 'FINISHED'), ('old', 'FINISHED'))) == []
    assert brief(tracker.feed('aig-1', listed(('u2', 'RUNNING'), ('u1', 'FINISHED'), ('old', 'FINISHED')))) == [('u2', None, 'RUNNING')]
    assert brief(tracker.feed('aig-1', listed(('u2', 'PART_FINISHED'), ('u1', 'FINISHED'), ('old', 'FINISHED')))) == [
        ('u2', 'RUNNING', 'PART_FINISHED'), ('group', 'PART_FINISHED', False)]


def test_a_task_seen_in_flight_is_waited_for_even_when_a_newer_one_ended():
    tracker = EventTracker(['aig-1'])
    tracker.feed('aig-1', listed(('a', 'RUNNING')))
    assert brief(tracker.feed('aig-1', listed(('b', 'STANDBY'), ('a', 'RUNNING')))) == [('b', None, 'STANDBY')]
    assert brief(tracker.feed('aig-1', listed(('b', 'STANDBY'), ('a', 'FAILED')))) == [('a', 'RUNNING', 'FAILED')]
    assert brief(tracker.feed('aig-1', listed(('b', 'FINISHED'), ('a', 'FAILED')))) == [('b', 'STANDBY', 'FINISHED'), ('group', 'FINISHED', False)]


def test_emit_initial_emits_what_is_in_flight_unknown_statuses_included_and_no_group_event():
    tracker = EventTracker(['aig-1'], emit_initial=True)
    events = tracker.feed('aig-1', listed(('n', 'PAUSED'), ('r', 'RUNNING'), ('f', 'FAILED')))
    assert brief(events) == [('n', None, 'PAUSED'), ('r', None, 'RUNNING')]


def test_a_task_that_is_no_longer_listed_gives_no_event_and_is_new_if_it_comes_back():
    tracker = EventTracker(['aig-1'])
    tracker.feed('aig-1', listed(('a', 'FINISHED'), ('b', 'FINISHED')))
    assert tracker.feed('aig-1', listed(('a', 'FINISHED'))) == []
    # Listed again, it is new, and first listed already ended: an update that ran, so the group settles.
    assert brief(tracker.feed('aig-1', listed(('a', 'FINISHED'), ('b', 'FINISHED')))) == [('b', None, 'FINISHED'), ('group', 'FINISHED', True)]


@pytest.mark.parametrize('interval, waits', [(60, [60, 120, 240, 480, 600, 600]), (0.5, [0.5, 1, 2, 4, 8, 8]), (900, [900] * 6)])
def test_backoff_doubles_up_to_sixteen_intervals_and_ten_minutes(interval, waits):
    assert [backoff(interval, failures) for failures in range(6)] == waits


@pytest.mark.parametrize('params, message', [
    ({'interval': 0, 'max_polls': 0}, 'interval must be greater than 0 seconds, got 0'),
    ({'interval': 5, 'max_polls': -2}, 'max_polls must be 0 (poll until the rulebook stops) or more, got -2'),
    ({'interval': 5, 'max_polls': 0, 'app_instance_group_ids': [' ']}, 'app_instance_group_ids must not contain an empty group id'),
])
def test_source_config_names_the_option(params, message):
    params.setdefault('app_instance_group_ids', ['aig-1'])
    with pytest.raises(OptionError) as raised:
        source_config(params)
    assert str(raised.value) == message


def test_source_config_deduplicates_the_groups():
    config = source_config({'app_instance_group_ids': ['aig-1', 'aig-2', 'aig-1'], 'interval': 5, 'max_polls': 3, 'emit_initial': True})
    assert (config.query.group_ids, config.interval, config.max_polls, config.emit_initial) == (('aig-1', 'aig-2'), 5.0, 3, True)
