# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The waiter never says "done" on a listing whose pages did not form one snapshot."""

from __future__ import annotations

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.waiter import Waiter, WaitSpec


def task(task_id, status):
    return {'task_id': task_id, 'task_display_status': status, 'ota_version': 'v1', 'app_instance_group_id': 'aig-1'}


class FakeClient:
    """list_groups answers from a script of (tasks, unsettled groups); a fake clock moves on each sleep."""

    def __init__(self, script):
        self.script = list(script)
        self.unsettled = []
        self.polls = 0

    def list_groups(self, query, deadline=None):
        tasks, self.unsettled = self.script[min(self.polls, len(self.script) - 1)]
        self.polls += 1
        return [('aig-1', len(tasks), tasks)]


def wait(client, timeout=60):
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    return Waiter(client, WaitSpec(group_ids=('aig-1',), timeout=timeout, poll_interval=5), clock=lambda: now[0], sleep=sleep).wait()


def test_an_unsettled_listing_is_polled_again_not_taken_as_done():
    partial = [task('ota-1', 'FINISHED')]                      # ota-2 (RUNNING) missing: pages disagreed
    complete = [task('ota-2', 'FINISHED'), task('ota-1', 'FINISHED')]
    client = FakeClient([(partial, ['aig-1']), (complete, [])])
    result = wait(client)
    assert result['success'] and result['polls'] == 2
    assert [t['task_id'] for t in result['tasks']] == ['ota-2', 'ota-1']   # the watched set comes from the settled poll


def test_a_listing_that_never_settles_times_out_saying_why():
    client = FakeClient([([task('ota-1', 'FINISHED')], ['aig-1'])])
    result = wait(client, timeout=12)
    assert not result['success'] and result['timed_out']
    assert 'the task list of aig-1 kept changing while it was read' in result['msg']
