# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ota_task_events event source: main() loaded as ansible-rulebook loads it (runpy), driven with an
asyncio.Queue against the loopback emulator.

Task timelines run on a request clock: the emulator's scenario time is the number of ListOtaTask
requests it has answered, so each status lasts a known number of polls whatever the machine's load.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .....helpers import AK, SECRET, account, generated, params, task

ROOT = Path(__file__).resolve().parents[6]
SOURCE_PATH = ROOT / 'extensions' / 'eda' / 'plugins' / 'event_source' / 'ota_task_events.py'
# What ansible-rulebook does: runpy.run_path. The collection finder the unit tests install (conftest) has a path
# hook that claims every path under the collections directory, which would make runpy take the file for a package
# (a directory or zip with __main__); ansible-rulebook's Python has no such hook, as this says to runpy.
sys.path_importer_cache[str(SOURCE_PATH)] = None
SOURCE = runpy.run_path(str(SOURCE_PATH))
main = SOURCE['main']
ConfigurationError = SOURCE['ConfigurationError']

OLD, NEW = '2022-08-04T14:36:00+08:00', '2022-08-05T10:00:00+08:00'


class RequestClock:
    """The emulator's scenario clock: one second per ListOtaTask request answered (faulted ones too)."""

    def __init__(self):
        self.server = None

    def __call__(self):
        if self.server is None:
            return 0.0
        return float(self.server._stats['calls'].get('ListOtaTask', 0))  # pylint: disable=protected-access


def start(emulator, groups, **kwargs):
    clock = RequestClock()
    server = emulator(groups, clock=clock, **kwargs)
    clock.server = server
    return server


def list_calls(server):
    return server.stats()['calls'].get('ListOtaTask', 0)


def run(server, queue=None, consumer=None, during=None, **options):
    """Run main() to its end (max_polls) with the emulator's endpoint and key; returns the events in queue order."""
    options.setdefault('interval', 0.02)
    args = params(server, **options)
    queue = queue if queue is not None else asyncio.Queue()
    received = []

    async def go():
        helpers = []
        if consumer is not None:
            helpers.append(asyncio.ensure_future(consumer(queue, received)))
        if during is not None:
            helpers.append(asyncio.ensure_future(during(server)))
        try:
            await main(queue, args)
            if consumer is not None:
                await queue.join()
        finally:
            for helper in helpers:
                helper.cancel()
        while not queue.empty():
            received.append(queue.get_nowait())

    asyncio.run(go())
    return received


def ev(group, task_id, status, previous, version='0.0.1-R-20220708.110604', started=NEW):
    return {'type': 'ota_task', 'app_instance_group_id': group, 'task_id': task_id, 'ota_version': version,
            'task_display_status': status, 'status': status, 'previous_status': previous, 'task_start_time': started}


def settled(group, newest_status, succeeded, newest=None, superseded=()):
    return {'type': 'ota_group', 'app_instance_group_id': group, 'in_flight': False, 'newest_task_id': newest,
            'newest_status': newest_status, 'succeeded': succeeded, 'superseded_task_ids': list(superseded)}


def of(group, events):
    return [e for e in events if e['app_instance_group_id'] == group]


def rollout(scale=1):
    """aig-1: ota-a STANDBY -> RUNNING -> FINISHED; aig-2: ota-b RUNNING -> FAILED; each with an older finished task.
    Times are ListOtaTask requests (two per poll without faults), times ``scale``."""
    return {
        'aig-1': {'tasks': [task('ota-a', None, start=NEW, timeline=[[0, 'STANDBY'], [6 * scale, 'RUNNING'], [12 * scale, 'FINISHED']]),
                            task('ota-old1', start=OLD)]},
        'aig-2': {'tasks': [task('ota-b', None, start=NEW, timeline=[[0, 'RUNNING'], [9 * scale, 'FAILED']]),
                            task('ota-old2', 'TERMINATED', start=OLD)]},
    }


ROLLOUT_EVENTS = {
    'aig-1': [ev('aig-1', 'ota-a', 'RUNNING', 'STANDBY'), ev('aig-1', 'ota-a', 'FINISHED', 'RUNNING'),
              settled('aig-1', 'FINISHED', True, 'ota-a')],
    'aig-2': [ev('aig-2', 'ota-b', 'FAILED', 'RUNNING'), settled('aig-2', 'FAILED', False, 'ota-b')],
}


def test_each_transition_once_in_order_and_a_group_event_when_it_settles(emulator):
    server = start(emulator, rollout())
    events = run(server, app_instance_group_ids=['aig-1', 'aig-2'], max_polls=12)
    assert {group: of(group, events) for group in ('aig-1', 'aig-2')} == ROLLOUT_EVENTS
    assert len(events) == 5
    # Calls per poll: one page per group, nothing more; max_polls counts the baseline.
    assert list_calls(server) == 12 * 2


def test_the_first_poll_is_a_baseline(emulator):
    server = start(emulator, rollout())
    assert run(server, app_instance_group_ids=['aig-1', 'aig-2'], max_polls=1) == []
    assert list_calls(server) == 2


def test_emit_initial_emits_the_tasks_in_flight_at_start_but_no_group_event(emulator):
    groups = {'aig-1': {'tasks': [task('ota-s', 'STANDBY', start='2022-08-05T11:00:00+08:00'), task('ota-r', 'RUNNING', start=NEW),
                                  task('ota-stale', 'STANDBY', start=OLD)]},
              'aig-2': {'tasks': [task('ota-done', start=NEW)]}}
    server = start(emulator, groups)
    events = run(server, app_instance_group_ids=['aig-1', 'aig-2'], max_polls=1, emit_initial=True)
    # ota-stale waits below a task that started: superseded, history, so not in flight.
    assert events == [ev('aig-1', 'ota-s', 'STANDBY', None, started='2022-08-05T11:00:00+08:00'), ev('aig-1', 'ota-r', 'RUNNING', None)]


def test_a_task_inserted_mid_run_is_emitted_and_its_group_settles(emulator):
    server = start(emulator, {'aig-1': {'tasks': [task('ota-old', start=OLD)]}})
    inserted = {}

    async def insert_after_the_baseline(srv):
        while list_calls(srv) < 2:
            await asyncio.sleep(0.005)
        now = list_calls(srv)
        inserted.update(srv.insert_task('aig-1', {'TaskId': 'ota-new', 'TaskStartTime': NEW, 'OtaVersion': 'v2',
                                                  'timeline': [[0, 'RUNNING'], [now + 3, 'FINISHED']]}))

    events = run(server, during=insert_after_the_baseline, app_instance_group_id='aig-1', max_polls=20)
    assert inserted['TaskId'] == 'ota-new'
    assert events == [ev('aig-1', 'ota-new', 'RUNNING', None, 'v2'), ev('aig-1', 'ota-new', 'FINISHED', 'RUNNING', 'v2'),
                      settled('aig-1', 'FINISHED', True, 'ota-new')]


def test_a_fault_schedule_loses_duplicates_and_invents_nothing(emulator, caplog):
    kinds = {4: 'hang', 7: 'http500', 10: 'reset', 13: 'malformed', 19: 'http500', 23: 'reset', 27: 'malformed', 31: 'throttle',
             55: 'throttle_api'}
    faults = {'schedule': {str(n): kind for n, kind in kinds.items()}, 'retry_after_ms': 20,
              'hang_seconds': 3}
    server = start(emulator, rollout(scale=3), faults=faults)
    events = run(server, app_instance_group_ids=['aig-1', 'aig-2'], max_polls=30, timeout=0.5)
    assert {group: of(group, events) for group in ('aig-1', 'aig-2')} == ROLLOUT_EVENTS
    injected = server.stats()['faults_injected']
    assert set(injected) == {"throttle", "throttle_api", "http500", "reset", "malformed", "hang"}, injected


def test_a_poll_that_fails_after_the_retries_is_logged_and_polled_again(emulator, caplog):
    caplog.set_level(logging.WARNING)
    faults = {'schedule': {'3': 'http500', '4': 'reset'}}
    server = start(emulator, rollout(), faults=faults)
    events = run(server, app_instance_group_ids=['aig-1', 'aig-2'], max_polls=14, retries=0)
    assert {group: of(group, events) for group in ('aig-1', 'aig-2')} == ROLLOUT_EVENTS
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any('poll 2 failed for aig-1, polling it again in' in w for w in warnings), warnings
    assert SECRET not in caplog.text


def test_pages_that_never_form_one_snapshot_give_no_events(emulator, caplog):
    """Poll 2 of a two-page group: a task is inserted at the head before each page of its three rounds, so it never
    settles; events come only from the next consistent poll, and they are the inserted tasks, once each."""
    caplog.set_level(logging.WARNING)
    server = emulator({'aig-1': generated(150)})
    server.set_faults({'schedule': {str(n): 'insert_head' for n in range(3, 9)}})
    events = run(server, app_instance_group_id='aig-1', max_polls=3)
    truth = server.tasks('aig-1')
    assert len(truth) == 156
    assert events == [ev('aig-1', t['TaskId'], 'RUNNING', None, t['OtaVersion'], t['TaskStartTime']) for t in truth[:6]]
    assert any('aig-1 kept changing while it was read' in r.getMessage() for r in caplog.records)
    assert list_calls(server) == 2 + 6 + 2


def test_calls_per_poll_are_the_pages_of_each_group(emulator):
    server = emulator({'aig-big': generated(250), 'aig-small': generated(3), 'aig-empty': generated(0)})
    run(server, app_instance_group_ids=['aig-big', 'aig-small', 'aig-empty'], max_polls=3)
    assert server.stats()['list_calls_by_group'] == {'aig-big': 9, 'aig-small': 3, 'aig-empty': 3}


def test_max_polls_ends_the_source(emulator):
    server = emulator({'aig-1': generated(1)})
    assert run(server, app_instance_group_id='aig-1', max_polls=3) == []
    assert list_calls(server) == 3


def test_a_bounded_queue_gets_every_event_in_order(emulator):
    waiting = [task('ota-%d' % n, 'STANDBY', start='2022-08-05T10:0%d:00+08:00' % n) for n in range(6)]
    server = emulator({'aig-1': {'tasks': waiting}})

    async def slow_consumer(queue, received):
        while True:
            received.append(await queue.get())
            await asyncio.sleep(0.01)
            queue.task_done()

    events = run(server, queue=asyncio.Queue(maxsize=1), consumer=slow_consumer, app_instance_group_id='aig-1', max_polls=1,
                 emit_initial=True)
    assert [e['task_id'] for e in events] == ['ota-%d' % n for n in range(5, -1, -1)]


def test_credentials_and_region_come_from_the_environment_like_for_the_module(emulator, monkeypatch):
    server = start(emulator, rollout())
    monkeypatch.setenv('ALIBABA_CLOUD_ACCESS_KEY_ID', AK)
    monkeypatch.setenv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', SECRET)
    args = {'app_instance_group_ids': ['aig-1'], 'endpoint': server.endpoint, 'max_polls': 1, 'emit_initial': True, 'interval': 0.01}
    queue = asyncio.Queue()
    asyncio.run(main(queue, args))
    assert queue.get_nowait()['task_id'] == 'ota-a'
    monkeypatch.setenv('ALIBABA_CLOUD_REGION_ID', 'Not_A_Region')
    with pytest.raises(ConfigurationError, match="region_id 'Not_A_Region' is not a region id"):
        asyncio.run(main(asyncio.Queue(), args))


@pytest.mark.parametrize('options, message', [
    ({'interval_seconds': 5}, 'interval_seconds'),
    ({'interval': 0}, 'interval must be greater than 0 seconds, got 0'),
    ({'max_polls': -1}, 'max_polls must be 0'),
    ({'emit_initial': 'maybe'}, 'emit_initial'),
    ({'app_instance_group_ids': None}, 'app_instance_group_ids'),
    ({'app_instance_group_ids': ['aig-nope']}, "Delivery group 'aig-nope' does not exist"),
    ({'access_key_secret': 'not-the-secret-0000'}, 'SignatureDoesNotMatch'),
    ({'endpoint': 'http://192.0.2.1:8080'}, 'plain http:// is only allowed to a loopback host'),
    ({'access_key_id': None}, 'access_key_id and access_key_secret must be given together'),
])
def test_a_configuration_error_ends_the_source_at_start_with_one_message(emulator, options, message):
    server = emulator({'aig-1': {'tasks': [task('ota-r', 'RUNNING')]}})
    args = params(server, app_instance_group_ids=['aig-1'], interval=0.01, emit_initial=True, max_polls=5)
    args.update(options)
    args = {k: v for k, v in args.items() if v is not None or k == 'app_instance_group_ids'}
    queue = asyncio.Queue()
    with pytest.raises(ConfigurationError) as raised:
        asyncio.run(main(queue, args))
    text = str(raised.value)
    assert text.startswith('alibabacloud.appstreaming.ota_task_events: ') and message in text, text
    assert 'not-the-secret' not in text and SECRET not in text
    assert queue.empty()
    assert list_calls(server) <= 1


def test_it_imports_the_collection_from_where_it_is_installed():
    """ansible-rulebook's Python has no collection finder and collections are not on sys.path: the source finds its
    collection from its own path (here: the staged ansible_collections/alibabacloud/appstreaming)."""
    code = ('import asyncio, runpy, sys\n'
            'main = runpy.run_path(sys.argv[1])["main"]\n'
            'try:\n'
            '    asyncio.run(main(asyncio.Queue(), {"app_instance_group_ids": ["aig-1"], "interval": -1}))\n'
            'except Exception as exc:\n'
            '    print(type(exc).__name__, exc)\n')
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'ANSIBLE_COLLECTIONS_PATH')}
    proc = subprocess.run([sys.executable, '-c', code, str(SOURCE_PATH)], env=env, cwd='/', capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.stdout.strip() == ('ConfigurationError alibabacloud.appstreaming.ota_task_events: '
                                   'interval must be greater than 0 seconds, got -1.0'), proc.stdout + proc.stderr


def test_events_are_json(emulator):
    server = start(emulator, rollout())
    events = run(server, app_instance_group_ids=['aig-1', 'aig-2'], max_polls=12)
    assert json.loads(json.dumps(events)) == events


# -- issue 20: each group on its own, deleted groups, updates that ran between two polls, the state file ---------------

def test_a_watched_group_deleted_mid_run_gives_one_error_event_and_does_not_stop_the_others(emulator, caplog):
    """aig-gone answers InvalidAppInstanceGroup.NotFound from its 3rd ListOtaTask request to its 5th: one ota_group_error
    event, polled with backoff meanwhile; aig-1's update still gives its events; aig-gone comes back with the update that
    ran while it was gone (a task first listed already ended), which settles it."""
    caplog.set_level(logging.WARNING)
    groups = dict(rollout(scale=2))
    groups['aig-gone'] = {'tasks': [task('ota-g-old', start=OLD)]}
    server = start(emulator, groups, faults={'not_found': {'aig-gone': {'from': 3, 'to': 4}}})

    async def update_while_gone(srv):
        while not srv.stats()['faults_injected'].get('not_found'):
            await asyncio.sleep(0.005)
        srv.insert_task('aig-gone', {'TaskId': 'ota-g-new', 'TaskStartTime': NEW, 'TaskDisplayStatus': 'FINISHED'})

    # An interval longer than a poll takes, so that the backoff (2, then 4 intervals) skips polls whatever the load.
    events = run(server, during=update_while_gone, app_instance_group_ids=['aig-1', 'aig-gone', 'aig-2'], max_polls=14, interval=0.1)
    gone = of('aig-gone', events)
    assert [e['type'] for e in gone] == ['ota_group_error', 'ota_task', 'ota_group'], gone
    assert gone[0]['code'] == 'InvalidAppInstanceGroup.NotFound' and "Delivery group 'aig-gone' does not exist" in gone[0]['message']
    assert (gone[1]['task_id'], gone[1]['previous_status'], gone[2]['newest_task_id'], gone[2]['succeeded']) == (
        'ota-g-new', None, 'ota-g-new', True)
    assert {group: of(group, events) for group in ('aig-1', 'aig-2')} == ROLLOUT_EVENTS
    calls = server.stats()['list_calls_by_group']
    assert calls['aig-1'] == calls['aig-2'] == 14 and calls['aig-gone'] < 14   # backoff for it alone
    assert server.stats()['faults_injected']['not_found'] == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum('failed for aig-gone, polling it again in' in w for w in warnings) == 2, warnings
    # A group that is unknown at start is still a configuration error, even when another one answers.
    queue = asyncio.Queue()
    with pytest.raises(ConfigurationError, match="Delivery group 'aig-nope' does not exist"):
        asyncio.run(main(queue, params(server, app_instance_group_ids=['aig-1', 'aig-nope'], emit_initial=True, interval=0.01)))
    assert queue.empty()


def test_a_task_inserted_already_finished_settles_its_group_once(emulator):
    server = start(emulator, {'aig-1': {'tasks': [task('ota-old', start=OLD)]}})

    async def insert_after_the_baseline(srv):
        while list_calls(srv) < 2:
            await asyncio.sleep(0.005)
        srv.insert_task('aig-1', {'TaskId': 'ota-new', 'TaskStartTime': NEW, 'OtaVersion': 'v2', 'TaskDisplayStatus': 'FINISHED'})

    events = run(server, during=insert_after_the_baseline, app_instance_group_id='aig-1', max_polls=8)
    assert events == [ev('aig-1', 'ota-new', 'FINISHED', None, 'v2'), settled('aig-1', 'FINISHED', True, 'ota-new')]


def test_a_stale_standby_task_below_the_newest_one_does_not_hold_the_group(emulator, caplog):
    """The demo's aig-demo-rollout: a 2025 STANDBY task below the newest one, which runs and finishes."""
    caplog.set_level(logging.WARNING)
    server = start(emulator, {'aig-1': {'tasks': [task('ota-new', None, start=NEW, timeline=[[0, 'RUNNING'], [4, 'FINISHED']]),
                                                  task('ota-stale', 'STANDBY', start='2022-08-04T20:00:00+08:00'),
                                                  task('ota-old', start=OLD)]}})
    events = run(server, app_instance_group_id='aig-1', max_polls=8)
    assert events == [ev('aig-1', 'ota-new', 'FINISHED', 'RUNNING'), settled('aig-1', 'FINISHED', True, 'ota-new', ['ota-stale'])]
    warned = [r.getMessage() for r in caplog.records if 'taken as superseded' in r.getMessage()]
    assert len(warned) == 1 and 'ota-stale STANDBY' in warned[0]


def test_with_a_state_file_a_restart_gives_what_changed_while_stopped_once(emulator, tmp_path):
    path = tmp_path / 'state' / 'ota.json'
    path.parent.mkdir()
    running = {'aig-1': {'tasks': [task('ota-a', 'RUNNING', start=NEW), task('ota-old', start=OLD)]},
               'aig-2': {'tasks': [task('ota-b', 'FINISHED', start=NEW)]}}
    server = emulator(running)
    assert run(server, app_instance_group_ids=['aig-1', 'aig-2'], max_polls=2, state_file=str(path)) == []
    saved = json.loads(path.read_text())
    assert saved['groups']['aig-1'] == {'tasks': {'ota-a': 'RUNNING', 'ota-old': 'FINISHED'}, 'tracked': ['ota-a']}
    # Stopped; meanwhile ota-a finished. The restart gives its change and the group's event, emit_initial or not.
    finished = {'tasks': [task('ota-a', 'FINISHED', start=NEW), task('ota-old', start=OLD)]}
    server.load({'accounts': [account()], 'groups': dict(running, **{'aig-1': finished})})
    events = run(server, app_instance_group_ids=['aig-1', 'aig-2'], max_polls=1, state_file=str(path), emit_initial=True)
    assert events == [ev('aig-1', 'ota-a', 'FINISHED', 'RUNNING'), settled('aig-1', 'FINISHED', True, 'ota-a')]
    # A second restart with nothing new: nothing.
    assert run(server, app_instance_group_ids=['aig-1', 'aig-2'], max_polls=2, state_file=str(path), emit_initial=True) == []
    assert sorted(p.name for p in path.parent.iterdir()) == ['ota.json']


def test_a_group_added_since_the_last_run_takes_a_baseline(emulator, tmp_path):
    path = tmp_path / 'ota.json'
    server = emulator({'aig-1': {'tasks': [task('ota-a', 'RUNNING', start=NEW)]}, 'aig-2': {'tasks': [task('ota-b', 'RUNNING', start=NEW)]}})
    run(server, app_instance_group_ids=['aig-1'], max_polls=1, state_file=str(path))
    events = run(server, app_instance_group_ids=['aig-1', 'aig-2'], max_polls=1, state_file=str(path), emit_initial=True)
    assert events == [ev('aig-2', 'ota-b', 'RUNNING', None)]   # aig-1 is restored: no baseline, nothing new
    assert set(json.loads(path.read_text())['groups']) == {'aig-1', 'aig-2'}


@pytest.mark.parametrize('content, words', [
    ('{"source": "some-other-tool", "groups": {}}', 'is not a state file of alibabacloud.appstreaming.ota_task_events version 1'),
    ('not json at all', 'is not a JSON document'),
    (None, 'cannot be read'),          # the path is a directory
    ('', 'the directory'),             # in a directory that does not exist
])
def test_an_unreadable_or_foreign_state_file_is_a_configuration_error_naming_it(emulator, tmp_path, content, words):
    server = emulator({'aig-1': {'tasks': [task('ota-r', 'RUNNING')]}})
    if content is None:
        path = tmp_path / 'a-directory'
        path.mkdir()
    elif content == '':
        path = tmp_path / 'missing' / 'ota.json'
    else:
        path = tmp_path / 'ota.json'
        path.write_text(content)
    queue = asyncio.Queue()
    with pytest.raises(ConfigurationError) as raised:
        asyncio.run(main(queue, params(server, app_instance_group_ids=['aig-1'], interval=0.01, max_polls=2, state_file=str(path))))
    assert str(raised.value).startswith('alibabacloud.appstreaming.ota_task_events: state_file %s ' % path), str(raised.value)
    assert words in str(raised.value)
    assert queue.empty() and list_calls(server) == 0
    if content:
        assert path.read_text() == content   # left as it was


def test_a_state_file_that_cannot_be_written_mid_run_is_warned_about_once_and_the_source_goes_on(emulator, tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    directory = tmp_path / 'state'
    directory.mkdir()
    server = start(emulator, rollout())

    async def remove_the_directory(srv):
        while list_calls(srv) < 2:
            await asyncio.sleep(0.005)
        shutil.rmtree(str(directory))

    events = run(server, during=remove_the_directory, app_instance_group_ids=['aig-1', 'aig-2'], max_polls=12,
                 state_file=str(directory / 'ota.json'))
    assert {group: of(group, events) for group in ('aig-1', 'aig-2')} == ROLLOUT_EVENTS
    warned = [r.getMessage() for r in caplog.records if 'cannot write the state_file' in r.getMessage()]
    assert len(warned) == 1 and str(directory / 'ota.json') in warned[0], warned


def test_run_directly_it_watches_the_bundled_emulator_and_prints_each_event(tmp_path):
    # ansible.eda's convention: `python <source>.py` runs the source with a printing queue. Here, against the
    # collection's own emulator and sample data, on loopback only.
    env = {'PATH': os.environ.get('PATH', ''), 'HOME': str(tmp_path)}
    proc = subprocess.run([sys.executable, str(SOURCE_PATH), '{"max_polls": 1, "interval": 0.01}'], env=env, cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(e['app_instance_group_id'], e['task_display_status'], e['previous_status']) for e in events] == [
        ('aig-demo-rollout', 'RUNNING', None), ('aig-demo-busy', 'RUNNING', None)]   # the demo group's stale STANDBY is history
    assert 'stopping after 1 polls' in proc.stderr
