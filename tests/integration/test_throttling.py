# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Throttling is normal at fleet scale (issue 19): jobs that share one account's API quota slow down, never fail.

The emulator answers Throttling.User above ``qps`` requests per second per AccessKey, as the real
gateway does, 30 ms after each request. Several real `ansible` processes sign with the same key, so
they share the quota and know nothing of each other. The tests count results and calls, never seconds:
every job gets the exact tasks, every page is read successfully exactly once, each group is approved
exactly once, and the throttled requests stay a bounded share. (`make bench` measures the times.)
"""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import MODULE, creds, ids, task, truth

WAIT = 'alibabacloud.appstreaming.ota_task_wait'
APPROVE = 'alibabacloud.appstreaming.ota_task'
V1, V2 = '0.0.1-R-20220708.110604', '0.0.2-R-20221130.000000'
LATENCY_MS = 30


def history(count=150):
    """A group's OTA history: ``count`` ended tasks (two pages at 150), as real groups have."""
    return {'generate': {'count': count, 'status': 'FINISHED'}}


def fleet(groups, count=150):
    return {'aig-%03d' % n: history(count) for n in range(groups)}


def run_at_once(ansible, runs):
    """Start every (module, args) as its own `ansible` process at once; [(proc, result dict)] when all have ended."""
    procs = []
    for name, args in runs:
        argv = ['ansible', 'localhost', '-m', name, '-a', json.dumps(args)]
        procs.append(subprocess.Popen(argv, cwd=str(ansible.workdir), env=ansible.env(), stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        ansible.outputs.append(out + err)   # scanned for secrets after the test, as every run
        _head, sep, body = out.partition(' => ')
        assert sep, 'no result in:\n%s\n%s' % (out[-3000:], err[-3000:])
        done.append((proc, json.loads(body)))
    return done


def quota_counts(server, action='ListOtaTask'):
    """(requests the quota accepted and were answered, requests it refused)."""
    stats = server.stats()
    return stats['ok_calls'].get(action, 0), stats['throttled_by_limit'].get('qps', 0)


def test_jobs_that_share_one_quota_all_get_the_exact_tasks(emulator, ansible):
    """Four ad-hoc ota_task_info runs at once, 12 groups of 150 tasks each (96 pages), 6 requests/s for the key:
    the issue's 8 jobs x 40 groups at 10/s, scaled down. Before issue 19 they failed: 'The API kept throttling'."""
    server = emulator(fleet(12), latency_ms=LATENCY_MS, qps=6)
    groups = sorted(fleet(12))
    results = run_at_once(ansible, [(MODULE, creds(server, app_instance_group_ids=groups))] * 4)
    for proc, result in results:
        assert proc.returncode == 0 and not result.get('failed'), result.get('msg')
        assert ids(result['ota_tasks']) == truth(server, *groups) and result['total_count'] == 12 * 150
    accepted, throttled = quota_counts(server)
    assert accepted == 4 * 12 * 2                       # every page of every job read successfully once, no restart
    assert 0 < throttled <= accepted                    # the quota did bite; at most one refusal per accepted page
    assert server.stats()['faults_injected'] == {}


def test_the_wait_on_many_groups_stretches_its_poll_and_passes(emulator, ansible):
    """The gate on 60 finished groups of 150 tasks (120 pages per poll) at 10 requests/s: one slow poll that completes,
    without sending more refused requests than accepted ones (before issue 19: 206 refused for the 120 pages)."""
    server = emulator(fleet(60), latency_ms=LATENCY_MS, qps=10)
    groups = sorted(fleet(60))
    _proc, result = ansible.module(WAIT, creds(server, app_instance_group_ids=groups, wait_timeout=120, poll_interval=5), check=True)
    assert (result['success'], result['timed_out'], result['polls']) == (True, False, 1)
    assert sorted(result['groups']) == groups and all(g['done'] and g['succeeded'] for g in result['groups'].values())
    accepted, throttled = quota_counts(server)
    assert accepted == 120 and 0 < throttled <= accepted


def pending():
    return {'tasks': [task('ota-old', version=V1)], 'ota': {'ota_version': V1, 'new_ota_version': V2}}


def test_an_approval_wave_under_a_quota_approves_each_group_exactly_once(emulator, ansible):
    """Two ota_task runs at once, 12 groups each, 3 requests/s for the key: a refused ApproveOtaTask was not applied,
    so it is sent again when a token comes; every group is approved once, and no approval is refused for another
    reason."""
    waves = [['aig-a%02d' % n for n in range(12)], ['aig-b%02d' % n for n in range(12)]]
    server = emulator({g: pending() for wave in waves for g in wave}, latency_ms=LATENCY_MS, qps=3)
    results = run_at_once(ansible, [(APPROVE, creds(server, app_instance_group_ids=wave, ota_version=V2)) for wave in waves])
    for (proc, result), wave in zip(results, waves):
        assert proc.returncode == 0 and result['changed'] is True, result.get('msg')
        assert {g['app_instance_group_id']: g['action'] for g in result['groups']} == {g: 'approved' for g in wave}
    stats = server.stats()
    assert stats['approvals_by_group'] == {g: 1 for wave in waves for g in wave}
    assert stats['refused_approvals_by_group'] == {}
    assert stats['ok_calls']['ApproveOtaTask'] == 24
    assert 0 < stats['throttled_by_limit'].get('qps', 0) <= sum(stats['ok_calls'].values()), stats


def test_a_wait_whose_quota_is_too_small_times_out_saying_what_helps(emulator, ansible):
    server = emulator(fleet(40, count=5), latency_ms=LATENCY_MS, qps=1)
    _proc, result = ansible.module(WAIT, creds(server, app_instance_group_ids=sorted(fleet(40)), wait_timeout=8, poll_interval=5),
                                   check=False)
    assert result['timed_out'] is True and result['success'] is False
    msg = result['msg']
    assert msg.startswith('Timed out after ') and 'waiting for: the first successful poll; last error: ListOtaTask' in msg
    # the last request was throttled ('The API kept throttling until the deadline: ...') or could not be sent before it
    assert 'the deadline: the API throttled ' in msg and ' requests this client sent; it adapted to ' in msg
    assert 'run fewer jobs against this account at once' in msg and "wait_timeout" in msg and "raise the account's quota" in msg
    assert 'max_concurrency' not in msg and 'raise retries' not in msg


@pytest.mark.parametrize('target', ['module', 'wait'])
def test_max_requests_per_second_keeps_a_job_under_a_quota_it_knows(emulator, ansible, target):
    server = emulator(fleet(10), latency_ms=LATENCY_MS, qps=5)
    groups = sorted(fleet(10))
    if target == 'module':
        _proc, result = ansible.module(MODULE, creds(server, app_instance_group_ids=groups, max_requests_per_second=4), check=True)
        assert ids(result['ota_tasks']) == truth(server, *groups)
    else:
        _proc, result = ansible.module(WAIT, creds(server, app_instance_group_ids=groups, max_requests_per_second=4), check=True)
        assert result['success'] and result['polls'] == 1
    assert quota_counts(server) == (20, 0)             # never above the quota: nothing refused
