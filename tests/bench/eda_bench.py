#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Performance of the ota_task_events event source (issue 13), against the emulator in its own process.

  calls     1,000 groups x 20 tasks, ``--polls`` polls (default 10): ListOtaTask calls per poll must be
            the sum over the groups of ceil(tasks/100) (here 1,000), never more;
  memory    the same run: the source's resident memory after each poll must not grow from the third
            poll on (flat: at most ``--rss-slack-mib``, default 4), and the CPU time per poll is reported;
  latency   one group whose tasks change status at known times: from each change on the server to its
            event in the queue, at most one interval plus one round trip (the poll's own duration).

The source is loaded as ansible-rulebook loads it (runpy) and run with ``main(queue, args)``; per-poll
figures come from its own debug line ("poll N: E events, C ListOtaTask calls in all, D s").
Run it from a staged copy with the collection on PYTHONPATH (``make bench`` does, or:
``python tests/bench/eda_bench.py`` there). Prints a table, writes eda.json to --out, exits 1 if a
target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import resource
import runpy
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EMULATOR = ROOT / 'tests' / 'emulator' / 'ota_emulator.py'
SOURCE_PATH = ROOT / 'extensions' / 'eda' / 'plugins' / 'event_source' / 'ota_task_events.py'
AK, SECRET = 'LTAI-edabench-0001', 'edabench-secret-7c2d'
POLL_LINE = re.compile(r'poll (\d+): (\d+) events, (\d+) ListOtaTask calls in all, ([0-9.]+)s')
PAGE = 4096


class EmulatorProcess:
    """tests/emulator/ota_emulator.py in its own process, on a free loopback port."""

    def __init__(self, data, latency_ms=0):
        self.dir = tempfile.mkdtemp(prefix='eda-bench-')
        path = Path(self.dir) / 'data.json'
        path.write_text(json.dumps(data))
        self.proc = subprocess.Popen([sys.executable, str(EMULATOR), '--data', str(path), '--port', '0', '--max-seconds', '900',
                                      '--latency-ms', str(latency_ms)], stdout=subprocess.PIPE, text=True)
        self.endpoint = json.loads(self.proc.stdout.readline())['endpoint']

    def admin(self, method, route, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.endpoint + '/__emulator/' + route, data=data, method=method)
        with urllib.request.urlopen(request, timeout=30) as answer:  # loopback only
            return json.loads(answer.read() or b'null')

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class PollRecorder(logging.Handler):
    """Takes the source's per-poll debug line and records, at that moment, the CPU time and resident memory."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.polls = []

    def emit(self, record):
        match = POLL_LINE.search(record.getMessage())
        if match:
            with open('/proc/self/statm', encoding='ascii') as statm:
                rss = int(statm.read().split()[1]) * PAGE
            self.polls.append({'poll': int(match.group(1)), 'events': int(match.group(2)), 'calls_total': int(match.group(3)),
                               'seconds': float(match.group(4)), 'cpu': time.process_time(), 'rss': rss})


def run_source(emulator, group_ids, polls, interval, on_event=None):
    source = runpy.run_path(str(SOURCE_PATH))
    recorder = PollRecorder()
    logger = logging.getLogger('alibabacloud.appstreaming.ota_task_events')
    logger.setLevel(logging.DEBUG)
    logger.addHandler(recorder)
    args = {'app_instance_group_ids': group_ids, 'endpoint': emulator.endpoint, 'access_key_id': AK, 'access_key_secret': SECRET,
            'interval': interval, 'max_polls': polls}

    async def go():
        queue = asyncio.Queue(maxsize=100)
        events = []

        async def consume():
            while True:
                event = await queue.get()
                events.append((time.time(), event))
                if on_event:
                    on_event(event)
                queue.task_done()

        consumer = asyncio.ensure_future(consume())
        try:
            await source['main'](queue, args)
            await queue.join()
        finally:
            consumer.cancel()
        return events

    try:
        return asyncio.run(go()), recorder.polls
    finally:
        logger.removeHandler(recorder)


def scale(groups, tasks, polls, interval, slack_mib):
    data = {'accounts': [{'access_key_id': AK, 'access_key_secret': SECRET}],
            'groups': {'aig-bench-%04d' % n: {'generate': {'count': tasks, 'status': 'FINISHED'}} for n in range(groups)}}
    emulator = EmulatorProcess(data)
    try:
        ids = sorted(data['groups'])
        events, recorded = run_source(emulator, ids, polls, interval)
        stats = emulator.admin('GET', 'stats')
    finally:
        emulator.stop()
    expected_per_poll = groups * -(-tasks // 100)
    calls = [b['calls_total'] - a['calls_total'] for a, b in zip([{'calls_total': 0}] + recorded, recorded)]
    cpu = [b['cpu'] - a['cpu'] for a, b in zip(recorded, recorded[1:])]
    rss = [p['rss'] for p in recorded]
    growth = (max(rss[2:]) - rss[2]) / 2 ** 20 if len(rss) > 2 else 0.0
    return {
        'groups': groups, 'tasks_per_group': tasks, 'polls': len(recorded), 'events': len(events),
        'calls_per_poll': calls, 'calls_per_poll_expected': expected_per_poll, 'emulator_list_calls': stats['calls'].get('ListOtaTask'),
        'poll_seconds': [p['seconds'] for p in recorded], 'cpu_seconds_per_poll': cpu,
        'rss_mib': [round(r / 2 ** 20, 1) for r in rss], 'rss_growth_mib_from_poll_3': round(growth, 2),
        'peak_rss_mib': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        'ok_calls': len(recorded) == polls and all(c == expected_per_poll for c in calls)
        and stats['calls'].get('ListOtaTask') == polls * expected_per_poll,
        'ok_memory': growth <= slack_mib, 'ok_events': not events,
    }


def latency(interval, changes=6, latency_ms=20):
    """One group, ``changes`` tasks turning FINISHED at staggered times; each event's delay after its change."""
    offsets = [2.0 + k * interval * 1.37 for k in range(changes)]   # staggered against the poll phase
    tasks = [{'TaskId': 'ota-lat-%d' % k, 'OtaVersion': 'v', 'TaskStartTime': '2024-08-01T10:%02d:00+08:00' % (59 - k),
              'timeline': [[0, 'RUNNING'], [offset, 'FINISHED']]} for k, offset in enumerate(offsets)]
    data = {'accounts': [{'access_key_id': AK, 'access_key_secret': SECRET}], 'groups': {'aig-lat': {'tasks': tasks}}}
    emulator = EmulatorProcess(data, latency_ms=latency_ms)
    try:
        t0 = time.time()                               # at most this late: delays are measured long, not short
        emulator.admin('POST', 'scenario', data)       # the timeline clock restarts now
        polls = int((offsets[-1] + 2 * interval) / interval) + 2
        events, recorded = run_source(emulator, ['aig-lat'], polls, interval)
    finally:
        emulator.stop()
    delays = {}
    for received, event in events:
        if event['type'] == 'ota_task' and event['task_display_status'] == 'FINISHED':
            k = int(event['task_id'].rsplit('-', 1)[1])
            delays[k] = received - (t0 + offsets[k])
    round_trip = max(p['seconds'] for p in recorded)
    bound = interval + round_trip
    return {'interval': interval, 'emulator_latency_ms': latency_ms, 'changes': changes, 'events': len(delays),
            'delays': [round(delays[k], 3) for k in sorted(delays)], 'max_delay': round(max(delays.values()), 3),
            'bound': round(bound, 3), 'ok': len(delays) == changes and max(delays.values()) <= bound}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--groups', type=int, default=1000)
    parser.add_argument('--tasks', type=int, default=20)
    parser.add_argument('--polls', type=int, default=10)
    parser.add_argument('--interval', type=float, default=5.0, help='seconds between polls in the scale run (default 5)')
    parser.add_argument('--latency-interval', type=float, default=1.0, help='seconds between polls in the latency run (default 1)')
    parser.add_argument('--rss-slack-mib', type=float, default=4.0)
    parser.add_argument('--out', default=str(ROOT / '.build' / 'bench'))
    args = parser.parse_args(argv)
    os.environ['ALIBABA_CLOUD_ECS_METADATA_DISABLED'] = 'true'
    result = {'scale': scale(args.groups, args.tasks, args.polls, args.interval, args.rss_slack_mib),
              'latency': latency(args.latency_interval)}
    s, lat = result['scale'], result['latency']
    cpu = sorted(s['cpu_seconds_per_poll'])
    rows = [
        ('calls per poll (%d groups x %d tasks)' % (s['groups'], s['tasks_per_group']),
         '%s (every poll)' % sorted(set(s['calls_per_poll'])), '= %d' % s['calls_per_poll_expected'], s['ok_calls']),
        ('memory growth, poll 3 -> %d' % s['polls'], '%.2f MiB (RSS %s MiB)' % (s['rss_growth_mib_from_poll_3'], s['rss_mib'][-1]),
         '<= %.0f MiB' % args.rss_slack_mib, s['ok_memory']),
        ('CPU per poll', 'median %.3fs, max %.3fs' % (cpu[len(cpu) // 2], cpu[-1]), 'reported', True),
        ('poll duration', 'max %.2fs' % max(s['poll_seconds']), 'reported', True),
        ('change -> event (interval %.1fs)' % lat['interval'], 'max %.3fs %s' % (lat['max_delay'], lat['delays']),
         '<= interval + round trip = %.3fs' % lat['bound'], lat['ok']),
        ('events from a quiet scale run', str(s['events']), '0', s['ok_events']),
    ]
    print('%-40s %-45s %-36s %s' % ('eda source', 'measured', 'target', 'result'))
    for what, measured, target, ok in rows:
        print('%-40s %-45s %-36s %s' % (what, measured, target, 'PASS' if ok else 'FAIL'))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, 'eda.json'), 'w', encoding='utf-8') as handle:
        json.dump(result, handle, indent=2)
    return 0 if all(ok for _w, _m, _t, ok in rows) else 1


if __name__ == '__main__':
    sys.exit(main())
