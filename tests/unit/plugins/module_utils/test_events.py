# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""events.py without I/O: listings in, events out (the event source's tests run it against the emulator)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import AppStreamingError, OptionError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.events import (
    GROUP_NOT_FOUND, EventTracker, PollSchedule, backoff, restore_state, parse as source_config, task_event)


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


def test_emit_initial_leaves_out_superseded_tasks_they_are_history():
    tracker = EventTracker(['aig-1'], emit_initial=True)
    events = tracker.feed('aig-1', listed(('s', 'STANDBY'), ('r', 'RUNNING'), ('f', 'FINISHED'), ('old', 'STANDBY')))
    assert brief(events) == [('s', None, 'STANDBY'), ('r', None, 'RUNNING')]


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


# -- issue 20: superseded tasks, updates that ran between two polls, deleted groups, the state across restarts ---------

class NotFound(AppStreamingError):
    code = GROUP_NOT_FOUND

    def __str__(self):
        return "ListOtaTask failed: InvalidAppInstanceGroup.NotFound: Delivery group 'aig-1' does not exist"


class Throttled(AppStreamingError):
    code = 'Throttling.User'


def test_task_events_name_the_status_task_display_status_and_keep_status_as_an_alias():
    tracker = EventTracker(['aig-1'])
    tracker.feed('aig-1', listed(('old', 'FINISHED')))
    event, = tracker.feed('aig-1', listed(('u1', 'RUNNING'), ('old', 'FINISHED')))
    assert event['task_display_status'] == event['status'] == 'RUNNING' and event['previous_status'] is None


def test_a_task_first_listed_already_ended_settles_its_group_once():
    tracker = EventTracker(['aig-1'])
    tracker.feed('aig-1', listed(('old', 'FINISHED')))
    events = tracker.feed('aig-1', listed(('u1', 'FINISHED'), ('old', 'FINISHED')))
    assert brief(events) == [('u1', None, 'FINISHED'), ('group', 'FINISHED', True)]
    assert events[-1]['newest_task_id'] == 'u1'
    assert tracker.feed('aig-1', listed(('u1', 'FINISHED'), ('old', 'FINISHED'))) == []
    failed = tracker.feed('aig-1', listed(('u2', 'FAILED'), ('u1', 'FINISHED'), ('old', 'FINISHED')))
    assert brief(failed) == [('u2', None, 'FAILED'), ('group', 'FAILED', False)]


def test_a_tracked_task_overtaken_by_a_newer_one_is_history_and_the_group_settles():
    tracker = EventTracker(['aig-1'])
    tracker.feed('aig-1', listed(('a', 'RUNNING')))
    events = tracker.feed('aig-1', listed(('b', 'FINISHED'), ('a', 'RUNNING')))
    assert brief(events) == [('b', None, 'FINISHED'), ('group', 'FINISHED', True)]
    assert events[-1]['superseded_task_ids'] == ['a']
    assert tracker.warnings and "taken as superseded" in tracker.warnings[0] and 'a RUNNING' in tracker.warnings[0]
    del tracker.warnings[:]
    assert brief(tracker.feed('aig-1', listed(('b', 'FINISHED'), ('a', 'FAILED')))) == [('a', 'RUNNING', 'FAILED')]
    assert tracker.warnings == []


def test_a_stale_standby_task_below_a_finished_one_does_not_hold_the_group():
    tracker = EventTracker(['aig-1'])
    tracker.feed('aig-1', listed(('new', 'RUNNING'), ('stale', 'STANDBY'), ('old', 'FINISHED')))
    assert brief(tracker.feed('aig-1', listed(('new', 'FINISHED'), ('stale', 'STANDBY'), ('old', 'FINISHED')))) == [
        ('new', 'RUNNING', 'FINISHED'), ('group', 'FINISHED', True)]
    assert len(tracker.warnings) == 1   # said once, not at every poll


def test_a_group_not_found_gives_one_error_event_until_it_is_listed_again():
    tracker = EventTracker(['aig-1'])
    tracker.feed('aig-1', listed(('a', 'RUNNING')))
    gone = tracker.fail('aig-1', NotFound())
    assert gone == [{'type': 'ota_group_error', 'app_instance_group_id': 'aig-1', 'code': GROUP_NOT_FOUND,
                     'message': "ListOtaTask failed: InvalidAppInstanceGroup.NotFound: Delivery group 'aig-1' does not exist"}]
    assert tracker.fail('aig-1', NotFound()) == [] and tracker.fail('aig-1', Throttled('slow down')) == []
    assert brief(tracker.feed('aig-1', listed(('a', 'FINISHED')))) == [('a', 'RUNNING', 'FINISHED'), ('group', 'FINISHED', True)]
    assert [e['type'] for e in tracker.fail('aig-1', NotFound())] == ['ota_group_error']   # gone again
    assert tracker.fail('aig-1', Throttled('slow down')) == []


def restarted(tracker, group_ids=('aig-1',), emit_initial=False):
    """A new tracker from the state file the old one would write (through JSON, as on disk)."""
    document = json.loads(json.dumps(tracker.state()))
    return EventTracker(list(group_ids), emit_initial, restore_state(document, '/var/lib/x/state.json'))


def test_a_restart_gives_the_changes_made_while_stopped_once():
    tracker = EventTracker(['aig-1'])
    tracker.feed('aig-1', listed(('a', 'RUNNING'), ('old', 'FINISHED')))
    assert tracker.state() == {'source': 'alibabacloud.appstreaming.ota_task_events', 'version': 1,
                               'groups': {'aig-1': {'tasks': {'a': 'RUNNING', 'old': 'FINISHED'}, 'tracked': ['a']}}}
    second = restarted(tracker)   # the source stopped; meanwhile ota a finished
    assert brief(second.feed('aig-1', listed(('a', 'FINISHED'), ('old', 'FINISHED')))) == [
        ('a', 'RUNNING', 'FINISHED'), ('group', 'FINISHED', True)]
    third = restarted(second)   # a second restart with nothing new: nothing
    assert third.feed('aig-1', listed(('a', 'FINISHED'), ('old', 'FINISHED'))) == []


def test_a_restart_sees_an_update_that_ran_entirely_while_stopped():
    tracker = EventTracker(['aig-1'])
    tracker.feed('aig-1', listed(('old', 'FINISHED')))
    again = restarted(tracker)
    assert brief(again.feed('aig-1', listed(('u1', 'FAILED'), ('old', 'FINISHED')))) == [('u1', None, 'FAILED'), ('group', 'FAILED', False)]


def test_a_group_added_since_the_last_run_takes_a_baseline_and_a_dropped_one_is_forgotten():
    tracker = EventTracker(['aig-1', 'aig-gone'])
    tracker.feed('aig-1', listed(('a', 'RUNNING')))
    tracker.feed('aig-gone', listed(('g', 'RUNNING')))
    again = restarted(tracker, ('aig-1', 'aig-new'), emit_initial=True)
    assert again.feed('aig-new', listed(('m', 'RUNNING'), ('n', 'FINISHED'))) == [task_event(listed(('m', 'RUNNING'))[0], None)]
    assert again.feed('aig-1', listed(('a', 'RUNNING'))) == []   # restored: no baseline, so no emit_initial either
    assert set(again.state()['groups']) == {'aig-1', 'aig-new'}


@pytest.mark.parametrize('document, words', [
    ({'groups': {}}, 'it does not say "source"'),
    ([1, 2], 'it does not say "source"'),
    ({'source': 'alibabacloud.appstreaming.ota_task_events', 'version': 2, 'groups': {}}, 'its version is 2'),
    ({'source': 'alibabacloud.appstreaming.ota_task_events', 'version': 1, 'groups': []}, '"groups" is not a mapping'),
    ({'source': 'alibabacloud.appstreaming.ota_task_events', 'version': 1, 'groups': {'aig-1': {'tasks': {'a': 1}, 'tracked': []}}},
     'group aig-1 is not'),
])
def test_a_foreign_state_document_is_refused_naming_the_file(document, words):
    with pytest.raises(OptionError) as raised:
        restore_state(document, '/var/lib/x/state.json')
    assert str(raised.value).startswith('state_file /var/lib/x/state.json is not a state file of '
                                        'alibabacloud.appstreaming.ota_task_events version 1 (') and words in str(raised.value)


def test_each_group_backs_off_on_its_own():
    schedule = PollSchedule(['aig-1', 'aig-2'], 10.0, 0.0)
    assert schedule.due(0.0) == ['aig-1', 'aig-2']
    schedule.polled('aig-1', 0.0)
    assert schedule.failed('aig-2', 0.0) == 20.0
    assert (schedule.next_time(), schedule.due(10.0)) == (10.0, ['aig-1'])
    schedule.polled('aig-1', 10.0)
    assert schedule.due(20.0) == ['aig-1', 'aig-2']
    assert schedule.failed('aig-2', 20.0) == 40.0 and schedule.due(30.0) == ['aig-1']
    schedule.polled('aig-1', 33.0)   # a slow poll: aig-2's time comes between two polls of aig-1, it joins the next one
    assert schedule.next_time() == 43.0 and schedule.due(43.0) == ['aig-1']
    schedule.polled('aig-1', 43.0)
    assert schedule.due(60.0) == ['aig-1', 'aig-2']
    schedule.failed('aig-1', 60.0)
    assert schedule.failed('aig-2', 60.0) == 80.0 and schedule.next_time() == 80.0   # all failing: the earliest of them
    schedule.polled('aig-2', 60.0)
    schedule.polled('aig-1', 60.0)
    assert schedule.due(70.0) == ['aig-1', 'aig-2']   # back to the interval after a listing


def test_a_poll_slower_than_the_interval_is_followed_by_a_pause_as_long_as_itself():
    schedule = PollSchedule(['aig-1', 'aig-2'], 10.0, 0.0)
    schedule.polled('aig-1', 0.0)
    schedule.polled('aig-2', 0.0)
    schedule.slowed(0.0, 4.0)                        # faster than the interval: the pace is kept
    assert schedule.next_time() == 10.0
    schedule.polled('aig-1', 10.0)
    schedule.polled('aig-2', 10.0)
    schedule.slowed(10.0, 17.0)                      # 7 s, still within the interval: the pace is kept
    assert schedule.next_time() == 20.0
    schedule.polled('aig-1', 20.0)
    schedule.polled('aig-2', 20.0)
    schedule.slowed(20.0, 45.0)                      # throttled: 25 s, so the next poll starts 25 s after it ended
    assert schedule.next_time() == 70.0 and schedule.due(69.0) == []


def test_state_file_option_is_a_path():
    config = source_config({'app_instance_group_ids': ['aig-1'], 'interval': 5, 'max_polls': 0, 'state_file': '/var/lib/x.json'})
    assert config.state_file == '/var/lib/x.json'
    with pytest.raises(OptionError, match='state_file must be the path of a file'):
        source_config({'app_instance_group_ids': ['aig-1'], 'interval': 5, 'max_polls': 0, 'state_file': ' '})
