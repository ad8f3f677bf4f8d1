# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One rule, three callers: the wait action (waiter.Waiter), ota_task_info (client.task_report's per-group fields) and the
event source (events.EventTracker) decide the same on every history (gate.py).

Hypothesis draws histories of one to five tasks, each with a status at each of three polls (ten seconds apart) and
a poll at which it is first listed; the emulator serves them on a fake clock. At the first poll, the info module, the
waiter and the event source's baseline must agree with each other and with the rule restated in test_gate.expected;
after it, the event source settles the group (its ota_group event) at the poll where the waiter is done, with the
same outcome, and never while the waiter still waits.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import Client
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.events import EventTracker
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.tasks import parse as parse_query
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.waiter import Waiter, parse

from ...helpers import account, validated
from .test_gate import KNOWN, expected

GROUP = 'aig-p'
INTERVAL = 10
POLLS = 3

TASK = st.tuples(st.lists(st.sampled_from(KNOWN), min_size=POLLS, max_size=POLLS),   # its status at each poll
                 st.sampled_from([0, 0, 0, 1, 2]))                                  # the poll it is first listed at
HISTORY = st.lists(TASK, min_size=1, max_size=5)


def scenario(history):
    tasks = []
    for n, (statuses, first) in enumerate(history):   # ota-0 is the newest
        task = {'TaskId': 'ota-%d' % n, 'OtaVersion': '0.0.%d-R-20250601.000000' % (9 - n),
                'TaskStartTime': '2025-%02d-01T10:00:00+08:00' % (12 - n),
                'timeline': [[poll * INTERVAL, status] for poll, status in enumerate(statuses)]}
        if first:
            task['appear_after'] = first * INTERVAL
        tasks.append(task)
    return {'accounts': [account()], 'groups': {GROUP: {'tasks': tasks}}}


def listed_statuses(history, poll):
    return [statuses[poll] for statuses, first in history if first <= poll]


def test_the_wait_action_the_info_module_and_the_event_source_decide_the_same(emulator, clock):
    server = emulator({}, clock=clock)
    spec = parse({'wait_timeout': INTERVAL * (POLLS - 1), 'poll_interval': INTERVAL, 'success_statuses': ['FINISHED'],
                  'fail_fast': False, 'app_instance_group_ids': [GROUP]})
    group_query = parse_query({'app_instance_group_ids': [GROUP]})

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(HISTORY)
    def check(history):
        with Client(validated(server), clock=clock, sleep=clock.sleep) as client:
            server.load(scenario(history))
            waited = Waiter(client, spec, clock=clock, sleep=clock.sleep).wait()

            server.load(scenario(history))
            start = clock.now
            info = client.task_report(group_query)['groups'][GROUP]
            tracker = EventTracker([GROUP])
            settled = []
            for poll in range(POLLS):
                clock.now = start + poll * INTERVAL
                (_group, _total, tasks), = client.list_tasks(group_query)
                settled += [(poll, e['succeeded']) for e in tracker.feed(GROUP, tasks) if e['type'] == 'ota_group']
                if poll == 0:
                    baseline = tracker.verdict(GROUP)

        first = listed_statuses(history, 0)
        superseded, _waited, done, succeeded = expected(first) if first else ([], [], True, True)
        listed_ids = ['ota-%d' % n for n, (_statuses, when) in enumerate(history) if when == 0]
        want = (not done, succeeded, [listed_ids[n] for n in superseded])
        # The first poll: the info module, the event source's baseline and the rule agree.
        assert (info['in_flight'], info['succeeded'], info['superseded_task_ids']) == want, history
        assert (not baseline.done, baseline.succeeded, [t['task_id'] for t in baseline.superseded]) == want, history
        # The waiter: done at the first poll exactly when the baseline is; else the event source settles the group at the
        # poll where the waiter is done, with the same outcome, and not before.
        done_at = None if waited['timed_out'] else waited['polls'] - 1
        if done_at == 0:
            assert baseline.done and waited['success'] == baseline.succeeded, history
            assert waited['groups'][GROUP]['superseded_task_ids'] == info['superseded_task_ids'], history
        else:
            assert not baseline.done, history
            assert settled[:1] == ([] if done_at is None else [(done_at, waited['success'])]), (history, settled, waited['msg'])

    check()
