#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Throttling is normal at fleet scale (issue 19): the issue's four scenarios against an account's API quota.

The emulator runs in its own process with a per-AccessKey quota (``--qps``: 10 requests per second,
burst 10, Throttling.User above it) and 30 ms of latency, a fresh one (a full quota) for each scenario.
Every job is a real `ansible` / `ansible-playbook` process with the default options, all signing with
the same key, so they share the quota and know nothing of each other:

  jobs     8 ad-hoc ota_task_info started at once, each on 40 groups x 150 tasks (80 pages each, 640 in all)
  one      one ota_task_info on 200 groups x 150 tasks (400 pages)
  gate     ota_task_wait (ansible-playbook) on 200 finished groups of 150 tasks: 400 pages, one poll
  approve  ota_task approving 30 groups at 3 requests per second

The floor of a scenario is the pages (or calls) it needs divided by the quota. Every run is checked:
the exact tasks of every group, every page read successfully exactly once, each group approved once.
A thread reads the emulator's counters every second: goodput is the requests the quota accepted per
second, divided by the quota, from 10 s after the start (the clients have adapted) to 10 s before the
end. Exit 1: a target missed; 2: a wrong result.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run_bench import EmulatorProcess, WrongResult, ansible_env, machine  # noqa: E402  pylint: disable=wrong-import-position

AK, SECRET = 'LTAI-bench-quota-01', 'bench-quota-secret-6a1d'
QPS, LATENCY_MS = 10, 30
JOBS, JOB_GROUPS, TASKS = 8, 40, 150
ONE_GROUPS = GATE_GROUPS = 200
WAVE, WAVE_QPS = 30, 3
V1, V2 = '0.0.1-R-20220708.110604', '0.0.2-R-20221130.000000'
ADAPTED_AFTER = 10.0   # seconds: goodput is measured from here to ADAPTED_AFTER before the end
# targets (the issue's): wall <= factor x floor + slack
JOBS_WALL, ONE_WALL, GATE_WALL = (1.5, 20.0), (1.3, 15.0), (1.5, 20.0)
THROTTLED_SHARE, GOODPUT = 0.35, 0.9


def pages(tasks):
    return max(1, -(-tasks // 100))


class Counters(threading.Thread):
    """Samples (seconds since start, accepted, refused by the quota) from the emulator every second."""

    def __init__(self, emu, action='ListOtaTask'):
        super().__init__(daemon=True)
        self.emu, self.action = emu, action
        self.samples = []
        self.start_time = time.monotonic()
        self._stop_event = threading.Event()

    def sample(self):
        stats = self.emu.stats()
        self.samples.append((time.monotonic() - self.start_time, sum(stats['ok_calls'].values()),
                             stats['throttled_by_limit'].get('qps', 0)))

    def run(self):
        while not self._stop_event.wait(1.0):
            self.sample()

    def stop(self):
        self._stop_event.set()
        self.join()
        self.sample()

    def goodput(self, qps):
        end = self.samples[-1][0]
        window = [s for s in self.samples if ADAPTED_AFTER <= s[0] <= end - ADAPTED_AFTER]
        if len(window) < 2:
            return None
        (t1, a1, _r1), (t2, a2, _r2) = window[0], window[-1]
        return (a2 - a1) / (t2 - t1) / qps


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix='bench-throttling-', dir=os.environ.get('TMPDIR')))
        self.bin = Path(sys.executable).parent

    def emulator(self, groups, qps):
        data = {'accounts': [{'access_key_id': AK, 'access_key_secret': SECRET}], 'groups': groups}
        path = self.work / 'data.json'
        path.write_text(json.dumps(data))
        return EmulatorProcess(path, self.args.latency_ms, ['--qps', str(qps)])

    def module(self, emu, name, args, out):
        args = dict(args, endpoint=emu.endpoint, access_key_id=AK, access_key_secret=SECRET)
        handle = open(out, 'wb')  # pylint: disable=consider-using-with
        proc = subprocess.Popen([str(self.bin / 'ansible'), 'localhost', '-m', name, '-a', json.dumps(args)], env=ansible_env(),
                                stdout=handle, stderr=subprocess.STDOUT)
        proc.out, proc.handle = out, handle
        return proc

    @staticmethod
    def finish(proc):
        proc.wait()
        proc.handle.close()
        proc.ended = time.monotonic()
        text = Path(proc.out).read_text(errors='replace')
        _head, sep, body = text.partition(' => ')
        if not sep:
            raise WrongResult('no result in: %s' % text[-2000:])
        return json.loads(body)

    @staticmethod
    def check_tasks(emu, result, groups, who):
        if result.get('failed'):
            return 'failed: %s' % result.get('msg', '')[:300]
        listed = {}
        for item in result['ota_tasks']:
            listed.setdefault(item['app_instance_group_id'], []).append(item['task_id'])
        for group in groups:
            truth = [t['TaskId'] for t in emu.tasks(group)]
            if listed.get(group) != truth:
                raise WrongResult('%s: group %s: %d tasks listed, the emulator holds %d' % (who, group, len(listed.get(group, [])), len(truth)))
        return None

    def quota(self, emu, name):
        stats = emu.stats()
        return stats['ok_calls'].get(name, 0), stats['throttled_by_limit'].get('qps', 0)

    def listings(self, name, jobs, count):
        """``jobs`` ad-hoc ota_task_info started at once, each on the same ``count`` groups of TASKS tasks."""
        groups = ['aig-q-%03d' % n for n in range(count)]
        emu = self.emulator({g: {'generate': {'count': TASKS, 'status': 'FINISHED'}} for g in groups}, QPS)
        try:
            counters = Counters(emu)
            counters.start()
            started = time.monotonic()
            procs = [self.module(emu, 'alibabacloud.appstreaming.ota_task_info', {'app_instance_group_ids': groups},
                                 self.work / ('%s%d.out' % (name, n))) for n in range(jobs)]
            results = [self.finish(p) for p in procs]
            wall = max(p.ended for p in procs) - started
            counters.stop()
            failures = [f for f in (self.check_tasks(emu, r, groups, '%s %d' % (name, n)) for n, r in enumerate(results)) if f]
            accepted, refused = self.quota(emu, 'ListOtaTask')
            need = jobs * count * pages(TASKS)
            if not failures and accepted != need:
                raise WrongResult('%s: %d pages read successfully, %d needed: a page was read twice or not at all' % (name, accepted, need))
            return {'jobs': jobs, 'succeeded': jobs - len(failures), 'failures': failures, 'wall_s': wall,
                    'job_walls_s': sorted(p.ended - started for p in procs), 'calls': need, 'accepted': accepted,
                    'throttled': refused, 'floor_s': need / QPS, 'goodput': counters.goodput(QPS), 'samples': counters.samples}
        finally:
            emu.stop()

    def jobs(self):
        return self.listings('jobs', JOBS, JOB_GROUPS)

    def one(self):
        return self.listings('one', 1, ONE_GROUPS)

    def gate(self):
        groups = ['aig-g-%03d' % n for n in range(GATE_GROUPS)]
        emu = self.emulator({g: {'generate': {'count': TASKS, 'status': 'FINISHED'}} for g in groups}, QPS)
        try:
            play = self.work / 'gate.yml'
            outcome_path = self.work / 'gate-outcome.json'
            play.write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n'
                            '    - name: Wait for the OTA updates of every group\n'
                            '      alibabacloud.appstreaming.ota_task_wait:\n'
                            '        app_instance_group_ids: "{{ gate_groups }}"\n'
                            '        endpoint: "{{ gate_endpoint }}"\n'
                            '        access_key_id: "{{ gate_key }}"\n'
                            '        access_key_secret: "{{ gate_secret }}"\n'
                            '      register: waited\n'
                            '    - name: Keep the outcome\n'
                            '      ansible.builtin.copy:\n'
                            '        content: "{{ {\'success\': waited.success, \'polls\': waited.polls, '
                            '\'done\': waited.groups | dict2items | selectattr(\'value.done\') | list | length} | to_json }}"\n'
                            '        dest: "{{ gate_outcome }}"\n'
                            '        mode: "0600"\n')
            variables = self.work / 'gate-vars.json'
            variables.write_text(json.dumps({'gate_groups': groups, 'gate_endpoint': emu.endpoint, 'gate_key': AK, 'gate_secret': SECRET,
                                             'gate_outcome': str(outcome_path)}))
            out = self.work / 'gate.out'
            started = time.monotonic()
            with open(out, 'wb') as handle:
                rc = subprocess.call([str(self.bin / 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', '-e', '@%s' % variables,
                                      str(play)], env=ansible_env(), stdout=handle, stderr=subprocess.STDOUT)
            wall = time.monotonic() - started
            text = out.read_text(errors='replace')
            outcome = json.loads(outcome_path.read_text()) if outcome_path.exists() else None
            accepted, refused = self.quota(emu, 'ListOtaTask')
            ok = rc == 0 and outcome is not None and outcome['success'] and outcome['done'] == GATE_GROUPS
            if ok and accepted != GATE_GROUPS * pages(TASKS) * outcome['polls']:
                raise WrongResult('gate: %d pages read successfully in %d poll(s) of %d pages' % (accepted, outcome['polls'], GATE_GROUPS * pages(TASKS)))
            return {'succeeded': ok, 'failure': None if ok else text[-1500:], 'wall_s': wall, 'polls': outcome and outcome['polls'],
                    'calls': GATE_GROUPS * pages(TASKS), 'accepted': accepted, 'throttled': refused, 'floor_s': GATE_GROUPS * pages(TASKS) / QPS}
        finally:
            emu.stop()

    def approve(self):
        groups = ['aig-a-%03d' % n for n in range(WAVE)]
        emu = self.emulator({g: {'tasks': [{'TaskId': 'ota-%s-old' % g, 'OtaVersion': V1, 'TaskStartTime': '2022-08-04T14:36:00+08:00',
                                            'TaskDisplayStatus': 'FINISHED'}],
                                 'ota': {'ota_version': V1, 'new_ota_version': V2}} for g in groups}, WAVE_QPS)
        try:
            started = time.monotonic()
            proc = self.module(emu, 'alibabacloud.appstreaming.ota_task', {'app_instance_group_ids': groups, 'ota_version': V2},
                               self.work / 'approve.out')
            result = self.finish(proc)
            wall = proc.ended - started
            stats = emu.stats()
            approved = stats['approvals_by_group']
            once = approved == {g: 1 for g in groups} and not stats['refused_approvals_by_group']
            ok = not result.get('failed') and sorted(result.get('approved', [])) == groups
            if ok and not once:
                raise WrongResult('approve: approvals per group %s, refused %s' % (approved, stats['refused_approvals_by_group']))
            calls = sum(stats['ok_calls'].values())
            return {'succeeded': ok and once, 'failure': None if ok else result.get('msg'), 'wall_s': wall, 'calls': calls,
                    'accepted': calls, 'throttled': stats['throttled_by_limit'].get('qps', 0), 'floor_s': calls / WAVE_QPS,
                    'approvals': sum(approved.values())}
        finally:
            emu.stop()


def share(entry):
    total = entry['accepted'] + entry['throttled']
    return entry['throttled'] / total if total else 0.0


def targets(report):
    rows = []

    def add(what, measured, goal, ok):
        rows.append({'target': what, 'measured': measured, 'goal': goal, 'pass': None if ok is None else bool(ok)})

    jobs, one, gate, approve = (report['scenarios'].get(k) for k in ('jobs', 'one', 'gate', 'approve'))
    if jobs:
        add('8 ota_task_info at once, 40 groups x 150 tasks each: jobs that succeed with the exact tasks',
            '%d of %d' % (jobs['succeeded'], jobs['jobs']), 'all', jobs['succeeded'] == jobs['jobs'])
        bound = JOBS_WALL[0] * jobs['floor_s'] + JOBS_WALL[1]
        add('8 ota_task_info at once: wall time, first start to last end', '%.1f s (%.2fx the floor of %.0f s; jobs ended at %s s)' % (
            jobs['wall_s'], jobs['wall_s'] / jobs['floor_s'], jobs['floor_s'], ', '.join('%.0f' % w for w in jobs['job_walls_s'])),
            '<= %g x floor + %g s = %.0f s' % (JOBS_WALL[0], JOBS_WALL[1], bound), jobs['wall_s'] <= bound)
        sent = jobs['throttled'] + jobs['accepted']
        add('8 ota_task_info at once: requests throttled', '%.1f %% (%d of %d)' % (100 * share(jobs), jobs['throttled'], sent),
            '<= %.0f %%' % (100 * THROTTLED_SHARE), share(jobs) <= THROTTLED_SHARE)
        good = jobs['goodput']
        add('8 ota_task_info at once: goodput, accepted requests per second / the quota, once adapted (10 s after the start to '
            '10 s before the end)', 'n/a' if good is None else '%.2f' % good, '>= %g' % GOODPUT, good is not None and good >= GOODPUT)
    if one:
        bound = ONE_WALL[0] * one['floor_s'] + ONE_WALL[1]
        add('one ota_task_info, 200 groups x 150 tasks: succeeds with the exact tasks', 'yes' if one['succeeded'] else one['failures'][0],
            'yes', one['succeeded'] == 1)
        add('one ota_task_info, 200 groups x 150 tasks: wall time', '%.1f s (%.2fx the floor of %.0f s; %.1f %% throttled, goodput %s)' % (
            one['wall_s'], one['wall_s'] / one['floor_s'], one['floor_s'], 100 * share(one),
            'n/a' if one['goodput'] is None else '%.2f' % one['goodput']),
            '<= %g x floor + %g s = %.0f s' % (ONE_WALL[0], ONE_WALL[1], bound), one['succeeded'] == 1 and one['wall_s'] <= bound)
    if gate:
        bound = GATE_WALL[0] * gate['floor_s'] + GATE_WALL[1]
        add('ota_task_wait on 200 finished groups of 150 tasks: passes', 'yes, %s poll(s)' % gate['polls'] if gate['succeeded'] else 'no',
            'yes', gate['succeeded'])
        add('ota_task_wait on 200 finished groups: wall time of the play', '%.1f s (%.2fx the floor of %.0f s; %.1f %% throttled)' % (
            gate['wall_s'], gate['wall_s'] / gate['floor_s'], gate['floor_s'], 100 * share(gate)),
            '<= %g x floor + %g s = %.0f s' % (GATE_WALL[0], GATE_WALL[1], bound), gate['succeeded'] and gate['wall_s'] <= bound)
    if approve:
        add('ota_task approving 30 groups at 3 requests/s: succeeds, each group approved exactly once',
            '%s, %d approvals, %.1f s (%.2fx the floor of %.0f s for its %d calls; %.1f %% throttled)' % (
                'yes' if approve['succeeded'] else 'no', approve['approvals'], approve['wall_s'], approve['wall_s'] / approve['floor_s'],
                approve['floor_s'], approve['calls'], 100 * share(approve)), 'yes, 30', approve['succeeded'])
    return rows


def markdown(report, rows):
    lines = ['Machine: %s CPU(s), %s; load average %s at the start, %s at the end. Emulator: `--qps %d --latency-ms %g` (approval: '
             '`--qps %d`), a fresh one per scenario; default options.' % (
                 report['machine']['cpus'], report['machine']['cpu_model'] or 'unknown CPU', report['load_start'], report['load_end'],
                 QPS, report['latency_ms'], WAVE_QPS), '',
             '| target | measured | goal | result |', '|---|---|---|---|']
    for row in rows:
        verdict = 'info' if row['pass'] is None else ('PASS' if row['pass'] else 'FAIL')
        lines.append('| %s | %s | %s | %s |' % (row['target'], row['measured'], row['goal'], verdict))
    return '\n'.join(lines) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    names = ('jobs', 'one', 'gate', 'approve')
    parser.add_argument('--scenarios', default=','.join(names), help='comma-separated subset of: %s' % ', '.join(names))
    parser.add_argument('--latency-ms', type=float, default=LATENCY_MS)
    parser.add_argument('--out', default=None, help='where throttling.json and throttling.md go')
    args = parser.parse_args(argv)
    wanted = [s for s in args.scenarios.split(',') if s]
    if set(wanted) - set(names):
        parser.error('unknown scenario(s): %s' % ', '.join(sorted(set(wanted) - set(names))))
    bench = Bench(args)
    report = {'machine': machine(), 'latency_ms': args.latency_ms, 'load_start': ' '.join('%.2f' % x for x in os.getloadavg()),
              'scenarios': {}}
    try:
        for name in names:
            if name in wanted:
                print('throttling: %s ...' % name, file=sys.stderr, flush=True)
                report['scenarios'][name] = getattr(bench, name)()
    except WrongResult as exc:
        print('WRONG RESULT: %s' % exc, file=sys.stderr)
        return 2
    report['load_end'] = ' '.join('%.2f' % x for x in os.getloadavg())
    rows = targets(report)
    text = markdown(report, rows)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / 'throttling.json').write_text(json.dumps(dict(report, targets=rows), indent=1, default=str))
        (out / 'throttling.md').write_text(text)
    print('Throttling is normal at fleet scale (issue 19)')
    print(text)
    failed = [r['target'] for r in rows if r['pass'] is False]
    print('RESULT: %s' % ('all %d targets met' % len(rows) if not failed else '%d of %d targets missed' % (len(failed), len(rows))))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
