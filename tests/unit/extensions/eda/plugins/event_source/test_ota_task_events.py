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
import subprocess
import sys
from pathlib import Path

import pytest

from .....helpers import AK, SECRET, generated, params, task

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
    return {'type': 'ota_task', 'app_instance_group_id': group, 'task_id': task_id, 'ota_version': version, 'status': status,
            'previous_status': previous, 'task_start_time': started}


def settled(group, newest_status, succeeded):
    return {'type': 'ota_group', 'app_instance_group_id': group, 'in_flight': False, 'newest_status': newest_status,
            'succeeded': succeeded}


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
    'aig-1': [ev('aig-1', 'ota-a', 'RUNNING', 'STANDBY'), ev('aig-1', 'ota-a', 'FINISHED', 'RUNNING'), settled('aig-1', 'FINISHED', True)],
    'aig-2': [ev('aig-2', 'ota-b', 'FAILED', 'RUNNING'), settled('aig-2', 'FAILED', False)],
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
    groups = {'aig-1': {'tasks': [task('ota-r', 'RUNNING', start=NEW), task('ota-s', 'STANDBY', start=NEW),
                                  task('ota-old', start=OLD)]},
              'aig-2': {'tasks': [task('ota-done', start=NEW)]}}
    server = start(emulator, groups)
    events = run(server, app_instance_group_ids=['aig-1', 'aig-2'], max_polls=1, emit_initial=True)
    assert events == [ev('aig-1', 'ota-r', 'RUNNING', None), ev('aig-1', 'ota-s', 'STANDBY', None)]


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
                      settled('aig-1', 'FINISHED', True)]


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
    assert any('poll 2 failed, polling again in' in w for w in warnings), warnings
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
    running = [task('ota-%d' % n, 'RUNNING', start='2022-08-05T10:0%d:00+08:00' % n) for n in range(6)]
    server = emulator({'aig-1': {'tasks': running}})

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
