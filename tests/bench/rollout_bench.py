#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Performance of discovery and approval (issue 12), through the shared client against the emulator.

  discovery  500 groups in a region: ListAppInstanceGroup calls must be ceil(500/100) = 5, the pages
             after the first concurrent (wall time about two round trips, not five);
  approval   a wave of 50 groups (ota_task's code path, module_utils/approval.py): exactly 50
             ApproveOtaTask calls, at most ``max_concurrency`` in flight (and that many reached), the
             groups read once before and once after, one ListOtaTask page per offered group;
  wait poll  one poll of the gate over the 50 groups: one ListOtaTask page per group.

Counts are targets (they do not depend on the machine); times are reported against their floor
(round trips x the emulator's latency), which depends on the machine only through scheduling.
Run from a staged copy with the collection on PYTHONPATH (``make bench`` does). Exit 1: a target missed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / 'tests' / 'emulator'))

from ota_emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import approval  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import Client  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.tasks import TaskQuery  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.alibabacloud.appstreaming.plugins.plugin_utils.options import validate  # noqa: E402  pylint: disable=wrong-import-position

AK, SECRET = 'BENCH-AK-0001', 'bench-secret-7d2c9e41'
NEW = '0.0.5-R-20261110.101500'


def scenario(groups):
    data = {}
    for n in range(groups):
        data['aig-bench-%04d' % n] = {
            'name': 'office-apps-sh-%04d' % n, 'region_id': 'cn-shanghai',
            'tasks': [{'TaskId': 'ota-b%04d-old' % n, 'OtaVersion': '0.0.4-R-20260601.000000',
                       'TaskStartTime': '2026-06-03T02:00:00+08:00', 'TaskDisplayStatus': 'FINISHED'}],
            'ota': {'ota_version': '0.0.4-R-20260601.000000', 'new_ota_version': NEW, 'release_note': 'Fixes.',
                    'run': [[0, 'RUNNING'], [600, 'FINISHED']]}}
    return {'accounts': [{'access_key_id': AK, 'access_key_secret': SECRET}], 'groups': data}


def calls(server, action):
    return server.stats()['calls'].get(action, 0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--groups', type=int, default=500)
    parser.add_argument('--wave', type=int, default=50)
    parser.add_argument('--latency-ms', type=float, default=20.0)
    parser.add_argument('--max-concurrency', type=int, default=16)
    parser.add_argument('--out', default=None)
    args = parser.parse_args(argv)
    latency = args.latency_ms / 1000.0
    rows, failures = [], []

    def row(name, measured, target, ok):
        rows.append((name, measured, target, 'PASS' if ok else 'FAIL'))
        if not ok:
            failures.append(name)

    with Emulator(data=scenario(args.groups), latency_ms=args.latency_ms) as server:
        params = validate(connection_argument_spec(), {'endpoint': server.endpoint, 'access_key_id': AK, 'access_key_secret': SECRET,
                                                       'max_concurrency': args.max_concurrency})
        with Client(params) as client:
            server.reset_stats()
            start = time.monotonic()
            groups = client.list_app_instance_groups()
            took = time.monotonic() - start
            pages = -(-args.groups // 100)
            row('discovery: groups listed', len(groups), args.groups, len(groups) == args.groups)
            row('discovery: ListAppInstanceGroup calls', calls(server, 'ListAppInstanceGroup'), pages,
                calls(server, 'ListAppInstanceGroup') == pages)
            row('discovery: wall time / 2 round trips (info)', '%.2fx (%.0f ms)' % (took / (2 * latency), took * 1000), 'pages 2.. concurrent', True)

            wave = [g['app_instance_group_id'] for g in groups][:args.wave]
            spec = approval.parse({'app_instance_group_ids': wave, 'ota_version': NEW, 'start_time': 'now'},
                                  datetime.datetime.now(datetime.timezone.utc))
            server.reset_stats()
            start = time.monotonic()
            result, failed = approval.run(client, spec, deadline=time.monotonic() + 300)
            took = time.monotonic() - start
            stats = server.stats()
            approvals = calls(server, 'ApproveOtaTask')
            row('approval: groups approved', len(result['approved']), args.wave, len(result['approved']) == args.wave and not failed)
            row('approval: ApproveOtaTask calls', approvals, args.wave, approvals == args.wave)
            row('approval: max in flight', stats['max_in_flight'], '<= %d, reached' % args.max_concurrency,
                stats['max_in_flight'] == min(args.max_concurrency, args.wave))
            # A group is read by listing the region (the API filters by one group id per call): one listing
            # before (every check before the first write) and one re-read after, each ceil(region/100) pages.
            reads = calls(server, 'ListAppInstanceGroup')
            row('approval: ListAppInstanceGroup calls (one listing before, one re-read)', reads, 2 * pages, reads == 2 * pages)
            row('approval: ListOtaTask calls (one page per offered group)', calls(server, 'ListOtaTask'), args.wave,
                calls(server, 'ListOtaTask') == args.wave)
            # list the region (2 round trips), the offered groups' tasks (wave/concurrency), the approvals (same), re-read (2)
            trips = 2 + 2 * -(-args.wave // args.max_concurrency) + 2
            row('approval: wall time / its round trips (info)', '%.2fx (%.0f ms)' % (took / (trips * latency), took * 1000),
                '%d round trips' % trips, True)

            server.reset_stats()
            start = time.monotonic()
            client.list_tasks(TaskQuery(tuple(wave)), deadline=time.monotonic() + 300)
            took = time.monotonic() - start
            row('wait poll: ListOtaTask calls', calls(server, 'ListOtaTask'), args.wave, calls(server, 'ListOtaTask') == args.wave)
            row('wait poll: wall time / its round trips (info)', '%.2fx (%.0f ms)' % (
                took / (-(-args.wave // args.max_concurrency) * latency), took * 1000), '%d round trips' % -(-args.wave // args.max_concurrency), True)

    width = max(len(r[0]) for r in rows)
    print('Discovery and approval (issue 12): %d groups, a wave of %d, %.0f ms latency, max_concurrency %d'
          % (args.groups, args.wave, args.latency_ms, args.max_concurrency))
    for name, measured, target, verdict in rows:
        print('  %-*s  %-22s %-22s %s' % (width, name, measured, target, verdict))
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        (Path(args.out) / 'rollout.json').write_text(json.dumps([list(r) for r in rows], indent=1, default=str))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
