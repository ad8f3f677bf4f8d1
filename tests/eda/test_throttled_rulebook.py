# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real ansible-rulebook runs alibabacloud.appstreaming.ota_gate while the account's API quota throttles it (issue 19).

The emulator answers Throttling.User above 8 requests per second for the key, 30 ms after each
request, and the source watches 14 groups, 26 pages per poll: the polls are throttled, and take
longer instead of failing. Its task timelines run on a clock of ListOtaTask pages answered (not of
requests: a refused request does not move it), so aig-ok and aig-bad change status between polls 2
and 3 however long each poll takes. The events must stay exact (the success playbook runs once, the
failure report once), every page of every poll is read successfully once, and the source warns once
that it is throttled, not at every poll.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_ota_gate_rulebook import RequestClock, one_task, rulebook, started  # noqa: E402  pylint: disable=wrong-import-position

QPS = 8
POLLS = 4
HISTORY = ['aig-h%02d' % n for n in range(12)]   # 150 ended tasks each: 2 pages per poll
PAGES_PER_POLL = 2 * len(HISTORY) + 2
WARNING = 'the API throttles the requests of this account'


def received(output):
    """(type, group, task, status) of each event the rule engine logged as received (at -vv: once per event)."""
    events = []
    for line in output.splitlines():
        _head, sep, body = line.partition('AstRulesEngine - received event ')
        if sep:
            event = json.loads(body)
            events.append((event['type'], event['app_instance_group_id'], event.get('task_id'), event.get('status', event.get('newest_status'))))
    return events


@pytest.fixture
def quota_emulator():
    at = 2 * PAGES_PER_POLL   # after the pages of polls 1 and 2: poll 3 sees the change
    groups = {'aig-ok': one_task('ota-ok', 'FINISHED', at), 'aig-bad': one_task('ota-bad', 'FAILED', at)}
    groups.update({g: {'generate': {'count': 150, 'status': 'FINISHED'}} for g in HISTORY})
    # the timelines run on pages answered: a refused request does not move them
    server = started(groups, RequestClock('ok_calls'), qps=QPS, latency_ms=30)
    yield server
    server.stop()


def test_a_throttled_source_gives_exact_events_and_warns_once(tmp_path, quota_emulator):
    server = quota_emulator
    proc, output = rulebook(tmp_path, server, ota_gate_app_instance_group_ids=['aig-ok', 'aig-bad'] + HISTORY,
                            ota_gate_max_polls=POLLS, ota_gate_interval=0.5)
    assert proc.returncode == 0, output[-6000:]
    assert (tmp_path / 'rollouts.txt').read_text().splitlines() == ['aig-ok FINISHED True'], output[-6000:]
    assert output.count('OTA task ota-bad (v2) of delivery group aig-bad is FAILED (was RUNNING)') == 1, output[-6000:]
    # The events the rule engine received, each once: one change per task, one settled group; nothing from the history.
    assert sorted(received(output)) == [('ota_group', 'aig-bad', None, 'FAILED'), ('ota_group', 'aig-ok', None, 'FINISHED'),
                                        ('ota_task', 'aig-bad', 'ota-bad', 'FAILED'), ('ota_task', 'aig-ok', 'ota-ok', 'FINISHED')], output[-6000:]
    assert 'stopping after %d polls' % POLLS in output
    stats = server.stats()
    assert stats['throttled_by_limit'].get('qps', 0) > 0                  # the quota did bite
    assert stats['ok_calls']['ListOtaTask'] == POLLS * PAGES_PER_POLL      # yet every page of every poll was read once
    assert output.count(WARNING) == 1, output[-6000:]                     # said once, not at every poll
    assert 'poll 2 failed' not in output and 'polling again in' not in output
