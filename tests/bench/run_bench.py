#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The performance benchmark behind `make bench` (run it through tests/tools/bench.sh).

For each scenario it starts the emulator (tests/emulator/ota_emulator.py) as its own process with
``--latency-ms`` (50) and runs, side by side and interleaved, ``--repeat`` times each:

  (a) client  our Client in this process (client.run(), as the module calls it);
  (b) module  ``ansible localhost -m alibabacloud.appstreaming.ota_task_info`` end to end;
  (c) sdk     peer_bench_sdk.py, the official SDK's sequential paging loop, in its own venv:
              its listing loop (``sdk loop``) and its whole process (``sdk process``);
  (d) ping    ``ansible localhost -m ansible.builtin.ping``, the floor of any module run;
  (e) replay  ``ansible localhost -m bench_replay`` (tests/bench/library): a stub returning the very
              result (b) returned, so (e) is what Ansible alone costs for a result of that size and
              (b) - (e) is what the module itself costs (imports, listing).

It also measures, from the real AnsiballZ payload of the module: the import time of what the
module imports beyond what ping imports against ping's own (``python -X importtime``), and the peak RSS of the
module process for 200 groups x 500 tasks (os.wait4). Every run checks its result (the exact
task count of every group, and for (a) the exact tasks in API order) and the emulator's
counters (ListOtaTask calls per group, most requests in flight).

Three more parts (each a --scenarios name of its own):

  growth  how cost grows: the client (each run in a fresh process) and the module (end to end, and
          its AnsiballZ payload for the peak RSS) at 1,000, 10,000 and 100,000 tasks in one group,
          and at 10, 100 and 1,000 groups of one full page (100 tasks) each;
  gate    ota_task_wait on 200 small groups for exactly 5 polls, through a real ansible-playbook
          run: calls per poll, time per poll against its floor, controller CPU per poll;
  200x500 also accounts for the module process's peak memory, phase by phase
          (tests/bench/memory_probe.py: RSS and tracemalloc samples).

It prints a table per scenario and one of the targets with PASS/FAIL, writes results.json and
results.md to --out, and exits 1 if a target is missed (2 if a run gave a wrong result).
Timings are medians; ratios come from one run of this script (same machine, same minute).
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EMULATOR = ROOT / 'tests' / 'emulator' / 'ota_emulator.py'
PEER = HERE / 'peer_bench_sdk.py'
PROBE = HERE / 'memory_probe.py'
MODULE = 'alibabacloud.appstreaming.ota_task_info'
AK, SECRET = 'LTAI-bench-0001', 'bench-secret-5e1f0c'
PEER_ACCOUNT = {'access_key_id': 'AKIDEXAMPLE', 'access_key_secret': 'secret'}  # what peer_bench_sdk.py signs with
PAGE_SIZE = 100
MAX_CONCURRENCY = 16  # the module's default, which the benchmark does not change
E2E_SLACK = 1.15      # the module end to end may cost at most this times ((e) Ansible alone, same result + its listing floor)
LEAN_START = 0.6     # the module's imports beyond ping's may take at most this times ping's own imports
LINEAR_SLACK = 1.5    # cost per task (or group) at the largest size may be at most this times that at the middle size

# name, label, groups, tasks per group, contenders
SCENARIOS = (
    ('10k', '1 group x 10,000 tasks', 1, 10000, ('client', 'module', 'sdk', 'replay')),
    ('50x20', '50 groups x 20 tasks', 50, 20, ('client', 'module', 'sdk', 'replay')),
    ('5', '1 group x 5 tasks', 1, 5, ('client', 'module', 'sdk', 'ping', 'replay')),
    ('200x500', '200 groups x 500 tasks (memory)', 200, 500, ('client', 'module')),
)
# How cost grows: (series, name, groups, tasks per group); every series grows 10x per step.
GROWTH = (
    ('one group', '1 x 1,000', 1, 1000), ('one group', '1 x 10,000', 1, 10000), ('one group', '1 x 100,000', 1, 100000),
    ('groups', '10 x 100', 10, 100), ('groups', '100 x 100', 100, 100), ('groups', '1,000 x 100', 1000, 100),
)
GATE_GROUPS, GATE_TASKS, GATE_POLLS, GATE_INTERVAL = 200, 5, 5, 2
GATE_FINISH = 3600   # the waited tasks' timeline: RUNNING, then FINISHED at this second (the benchmark advances the clock)
EXTRA_PARTS = ('growth', 'gate')


class WrongResult(Exception):
    """A run returned something else than the emulator holds: the benchmark is void."""


# --------------------------------------------------------------------------- helpers

def median(values):
    return statistics.median(values) if values else None


def object_sizes(result):
    """Bytes of the distinct objects reachable from RESULT (sys.getsizeof + the GC header of containers), by kind."""
    gc_header = 16  # PyGC_Head on 64-bit CPython 3.12
    seen, stack, sizes = set(), [result], {'dicts': 0, 'lists': 0, 'strings': 0, 'other': 0}
    count = {'dicts': 0, 'strings': 0}
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            sizes['dicts'] += sys.getsizeof(value) + gc_header
            count['dicts'] += 1
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            sizes['lists'] += sys.getsizeof(value) + gc_header
            stack.extend(value)
        elif isinstance(value, str):
            sizes['strings'] += sys.getsizeof(value)
            count['strings'] += 1
        else:
            sizes['other'] += sys.getsizeof(value)
    sizes = {k: v / 1e6 for k, v in sizes.items()}
    sizes['total'] = sum(sizes.values())
    sizes.update({'dict_count': count['dicts'], 'string_count': count['strings']})
    return sizes


def client_run(options_given):
    """client.run() with the options given on top of the argument spec's defaults (what AnsibleModule hands the module)."""
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import client, options, tasks
    spec = tasks.argument_spec()
    spec.update(options.connection_argument_spec())
    params = {name: option.get('default') for name, option in spec.items()}
    params.update(options_given)
    return client.run(params)


def client_once(params_path):
    """`run_bench.py --client-once PARAMS.json`: one client.run() in this fresh process; prints its wall time and peak RSS."""
    options_given = json.loads(Path(params_path).read_text())
    start = time.perf_counter()
    result, _warnings = client_run(options_given)
    wall = time.perf_counter() - start
    hwm = 0
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith('VmHWM:'):   # the peak RSS of this process image (ru_maxrss would include the parent's, see payload_rss)
            hwm = int(line.split()[1]) * 1024
    print(json.dumps({'seconds': wall, 'tasks': len(result['ota_tasks']), 'hwm_bytes': hwm}))
    return 0


def floor_round_trips(groups, tasks):
    """Round trips a perfect client needs at MAX_CONCURRENCY: every page 1, then the rest."""
    pages = max(1, math.ceil(tasks / PAGE_SIZE))
    firsts = math.ceil(groups / MAX_CONCURRENCY)
    rest = math.ceil(groups * (pages - 1) / MAX_CONCURRENCY)
    return firsts + rest


def http(method, url, body=None):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
    request = urllib.request.Request(url, data=body, method=method)
    with opener.open(request, timeout=30) as response:
        return json.loads(response.read().decode('utf-8'))


class EmulatorProcess:
    """tests/emulator/ota_emulator.py in its own process (it must not share our GIL)."""

    def __init__(self, data_path, latency_ms, extra=()):
        self.command = [sys.executable, str(EMULATOR), '--data', str(data_path), '--latency-ms', str(latency_ms),
                        '--port', '0', '--max-seconds', '3600'] + list(extra)
        self.proc = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit('emulator did not start: %s' % self.proc.stderr.read())
        ready = json.loads(line)
        self.endpoint = ready['endpoint']
        self.host_port = self.endpoint.split('://', 1)[1]

    def reset(self):
        http('POST', self.endpoint + '/__emulator/reset', b'')

    def stats(self):
        return http('GET', self.endpoint + '/__emulator/stats')

    def tasks(self, group):
        return http('GET', self.endpoint + '/__emulator/tasks?group=' + group)['TaskList']

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def ansible_env(extra=None):
    env = dict(os.environ)
    env.update({
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        'ANSIBLE_LOCALHOST_WARNING': 'false',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
        'ANSIBLE_NOCOLOR': '1',
    })
    env.update(extra or {})
    return env


def timed(argv, env=None, stdout_path=None):
    """Run argv to completion; (wall seconds, exit status, rusage of the child)."""
    with open(stdout_path or os.devnull, 'wb') as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        stderr = proc.stderr.read().decode('utf-8', 'replace')
        proc.stderr.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = Path(stdout_path).read_text(errors='replace')[-2000:] if stdout_path else ''
        raise WrongResult('%s exited %d\n%s\n%s' % (shlex.join(argv[:6]), proc.returncode, tail, stderr[-2000:]))
    return wall, usage


def module_result(path):
    text = Path(path).read_text()
    _head, sep, body = text.partition(' => ')
    if not sep:
        raise WrongResult('no module result in: %s' % text[-2000:])
    return json.loads(body)


# --------------------------------------------------------------------------- the contenders

class Bench:
    def __init__(self, args):
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix='bench-', dir=os.environ.get('TMPDIR')))
        self.ansible = str(Path(sys.executable).parent / 'ansible')
        self.results = {}

    def scenario_data(self, groups, tasks):
        ids = ['aig-bench-%04d' % i for i in range(groups)]
        data = {'accounts': [{'access_key_id': AK, 'access_key_secret': SECRET}, PEER_ACCOUNT],
                'groups': {g: {'generate': {'count': tasks}} for g in ids}}
        path = self.work / ('data-%dx%d.json' % (groups, tasks))
        path.write_text(json.dumps(data))
        return ids, path

    def params(self, emu, ids):
        return {'app_instance_group_ids': ids, 'endpoint': emu.endpoint, 'access_key_id': AK, 'access_key_secret': SECRET}

    def check_calls(self, emu, ids, tasks, who):
        stats = emu.stats()
        by_group = stats['list_calls_by_group']
        expected = max(1, math.ceil(tasks / PAGE_SIZE))
        wrong = {g: by_group.get(g, 0) for g in ids if by_group.get(g, 0) != expected}
        if wrong:
            raise WrongResult('%s: ListOtaTask calls per group should be %d, got %s' % (who, expected, dict(list(wrong.items())[:5])))
        return stats['calls'].get('ListOtaTask', 0), stats['max_in_flight']

    def run_client(self, emu, ids, tasks, truth):
        options_given = self.params(emu, ids)
        start = time.perf_counter()
        result, _warnings = client_run(options_given)
        wall = time.perf_counter() - start
        got = result['ota_tasks']
        if len(got) != len(ids) * tasks or result['total_count'] != len(ids) * tasks:
            raise WrongResult('client: %d tasks, expected %d' % (len(got), len(ids) * tasks))
        if truth is not None and [(t['app_instance_group_id'], t['task_id']) for t in got] != truth:
            raise WrongResult('client: the tasks are not the emulator tasks in API order')
        return wall, {}

    def run_module(self, emu, ids, tasks, keep=True):
        out = self.work / 'module.out'
        argv = [self.ansible, 'localhost', '-m', MODULE, '-a', json.dumps(self.params(emu, ids))]
        wall, _usage = timed(argv, ansible_env(), out)
        result = module_result(out)
        if len(result.get('ota_tasks', ())) != len(ids) * tasks:
            raise WrongResult('module: %d tasks, expected %d' % (len(result.get('ota_tasks', ())), len(ids) * tasks))
        if keep:
            (self.work / 'replay.json').write_text(json.dumps(result))   # what (e) returns
        return wall, {}

    def run_replay(self):
        out = self.work / 'replay.out'
        argv = [self.ansible, 'localhost', '-M', str(HERE / 'library'), '-m', 'bench_replay', '-a', 'path=%s' % (self.work / 'replay.json')]
        wall, _usage = timed(argv, ansible_env(), out)
        module_result(out)
        return wall, {}

    def run_sdk(self, emu, ids, tasks):
        out = self.work / 'sdk.out'
        argv = [self.args.sdk_python, str(PEER), '--endpoint', emu.host_port, '--total', str(tasks)]
        argv += ['--group', ids[0]] if len(ids) == 1 else ['--groups', ','.join(ids)]
        wall, _usage = timed(argv, dict(os.environ), out)
        report = json.loads(Path(out).read_text().strip().splitlines()[-1])
        if report['tasks'] != len(ids) * tasks:
            raise WrongResult('sdk: %d tasks, expected %d' % (report['tasks'], len(ids) * tasks))
        return wall, {'loop': report['seconds'], 'import': report['import_seconds']}

    def run_ping(self):
        wall, _usage = timed([self.ansible, 'localhost', '-m', 'ansible.builtin.ping'], ansible_env(), self.work / 'ping.out')
        if 'SUCCESS' not in (self.work / 'ping.out').read_text():
            raise WrongResult('ping did not succeed')
        return wall, {}

    # ----------------------------------------------------------------- AnsiballZ measurements

    def ansiballz(self, name, emu=None, ids=None):
        """Run the module once with ANSIBLE_KEEP_REMOTE_FILES and return its AnsiballZ payload path."""
        remote = self.work / ('remote-' + name.rsplit('.', 1)[-1])
        shutil.rmtree(remote, ignore_errors=True)
        remote.mkdir()
        argv = [self.ansible, 'localhost', '-m', name]
        if emu is not None:
            argv += ['-a', json.dumps(self.params(emu, ids))]
        timed(argv, ansible_env({'ANSIBLE_KEEP_REMOTE_FILES': '1', 'ANSIBLE_REMOTE_TEMP': str(remote)}))
        found = glob.glob(str(remote / '*' / 'AnsiballZ_*.py'))
        if len(found) != 1:
            raise WrongResult('expected one AnsiballZ payload in %s, found %s' % (remote, found))
        return found[0]

    @staticmethod
    def importtime(payload):
        """{module name: self microseconds} of every import the payload made."""
        proc = subprocess.run([sys.executable, '-X', 'importtime', payload], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise WrongResult('%s failed: %s' % (payload, proc.stderr[-2000:]))
        found = {}
        for line in proc.stderr.splitlines():
            match = re.match(r'import time:\s+(\d+)\s+\|\s+(\d+)\s+\|\s*(\S.*)$', line)
            if match:
                found[match.group(3).strip()] = int(match.group(1))
        return found

    def lean_start(self, emu, ids):
        """What the module imports beyond ping's, against ping's own imports: both CPU, measured in one run."""
        module = self.ansiballz(MODULE, emu, ids)
        ping = self.ansiballz('ansible.builtin.ping')
        totals, ping_totals, ours, biggest, names = [], [], [], {}, set()
        for _round in range(self.args.repeat):
            base = self.importtime(ping)
            mine = self.importtime(module)
            extra = {n: us for n, us in mine.items() if n not in base and not n.startswith('ansible.')}
            names.update(extra)
            totals.append(sum(extra.values()) / 1000.0)
            ping_totals.append(sum(base.values()) / 1000.0)
            ours.append(sum(us for n, us in extra.items() if n.startswith('ansible_collections.')) / 1000.0)
            for n, us in extra.items():
                biggest.setdefault(n, []).append(us)
        top = sorted(((median(v) / 1000.0, n) for n, v in biggest.items()), reverse=True)[:8]
        ratios = [t / p for t, p in zip(totals, ping_totals)]
        return {'ms': median(totals), 'runs_ms': totals, 'ping_ms': median(ping_totals), 'ping_runs_ms': ping_totals,
                'ratio': median(ratios), 'runs_ratio': ratios, 'collection_ms': median(ours), 'modules': len(names),
                'credentials_imported': any(n.startswith('alibabacloud_credentials') for n in names),
                'voluptuous_imported': any(n.startswith('voluptuous') for n in names),
                'top_self_ms': [(round(ms, 1), n) for ms, n in top]}

    def peak_rss(self, emu, ids, tasks):
        """Peak RSS of the module process, as Ansible runs it (its AnsiballZ payload): the highest of up to 3 runs."""
        payload = self.ansiballz(MODULE, emu, ids)
        peaks = [self.payload_rss(payload, len(ids) * tasks) for _round in range(max(1, min(3, self.args.repeat)))]
        return {'mb': max(peaks), 'runs_mb': peaks}

    # ----------------------------------------------------------------- one scenario

    def scenario(self, name, label, groups, tasks, contenders):
        ids, data_path = self.scenario_data(groups, tasks)
        emu = EmulatorProcess(data_path, self.args.latency_ms)
        entry = {'label': label, 'groups': groups, 'tasks_per_group': tasks, 'tasks': groups * tasks,
                 'expected_calls': groups * max(1, math.ceil(tasks / PAGE_SIZE)),
                 'floor_round_trips': floor_round_trips(groups, tasks),
                 'emulator_command': shlex.join(emu.command[1:]).replace(str(ROOT) + '/', ''),
                 'runs': {c: [] for c in contenders}, 'extra': {c: [] for c in contenders},
                 'calls': {}, 'max_in_flight': []}
        entry['floor_s'] = entry['floor_round_trips'] * self.args.latency_ms / 1000.0
        try:
            truth = [(g, t['TaskId']) for g in ids for t in emu.tasks(g)]
            runners = {
                'client': lambda: self.run_client(emu, ids, tasks, truth),
                'module': lambda: self.run_module(emu, ids, tasks),
                'sdk': lambda: self.run_sdk(emu, ids, tasks),
                'ping': self.run_ping,
                'replay': self.run_replay,
            }
            order = [c for c in contenders if c != 'replay']
            for rep in range(self.args.repeat + 1):       # repetition 0 warms caches and is not counted
                for who in order[rep % len(order):] + order[:rep % len(order)]:
                    emu.reset()
                    wall, extra = runners[who]()
                    if who not in ('ping', 'replay'):
                        calls, in_flight = self.check_calls(emu, ids, tasks, who)
                        entry['calls'].setdefault(who, set()).add(calls)
                        if who == 'client':
                            entry['max_in_flight'].append(in_flight)
                    if rep:
                        entry['runs'][who].append(wall)
                        entry['extra'][who].append(extra)
                    if who == 'module' and 'replay' in contenders:   # right after it, with the result it returned
                        wall, extra = runners['replay']()
                        if rep:
                            entry['runs']['replay'].append(wall)
                self.progress('%s rep %d: %s' % (name, rep, ', '.join(
                    '%s %.3f' % (w, entry['runs'][w][-1]) for w in contenders if rep and entry['runs'][w])))
            if name == '5':
                entry['lean_start'] = self.lean_start(emu, ids)
            if name == '200x500':
                entry['peak_rss'] = self.peak_rss(emu, ids, tasks)
                entry['memory'] = self.memory_account(emu, ids, tasks)
        finally:
            emu.stop()
        entry['calls'] = {k: sorted(v) for k, v in entry['calls'].items()}
        med = {who: median(runs) for who, runs in entry['runs'].items()}
        if 'sdk' in contenders:
            med['sdk_loop'] = median([x['loop'] for x in entry['extra']['sdk']])
        entry['median_s'] = med
        return entry

    # ----------------------------------------------------------------- how cost grows

    def client_process(self, emu, ids, tasks):
        """One client.run() in a fresh process (see client_once): wall seconds and its peak RSS in MB."""
        params = self.work / 'client-params.json'
        params.write_text(json.dumps(self.params(emu, ids)))
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), '--client-once', str(params)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise WrongResult('client process exited %d: %s' % (proc.returncode, proc.stderr[-2000:]))
        report = json.loads(proc.stdout.strip().splitlines()[-1])
        if report['tasks'] != len(ids) * tasks:
            raise WrongResult('client process: %d tasks, expected %d' % (report['tasks'], len(ids) * tasks))
        return report['seconds'], report['hwm_bytes'] / 1e6

    def payload_rss(self, payload, expected_tasks, probe_args=None):
        """Peak RSS (MB) of the module's AnsiballZ payload, started from a small helper process.

        Linux counts the RSS a process had before exec() in its ru_maxrss, so the payload is started
        from a small helper, not from this process (which may hold 100,000 tasks). With probe_args
        (REPORT.json, then its options), the payload runs under memory_probe.py.
        """
        out = self.work / 'rss.out'
        argv = [sys.executable, str(PROBE), probe_args[0], payload] + list(probe_args[1:]) if probe_args else [sys.executable, payload]
        helper = ('import json, os, sys\n'
                  'argv = json.loads(sys.argv[2])\n'
                  'pid = os.posix_spawn(argv[0], argv, os.environ, '
                  'file_actions=[(os.POSIX_SPAWN_OPEN, 1, sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)])\n'
                  '_pid, status, usage = os.wait4(pid, 0)\n'
                  'print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n')
        proc = subprocess.run([sys.executable, '-c', helper, str(out), json.dumps(argv)], capture_output=True, text=True, check=True)
        code, max_kib = (int(x) for x in proc.stdout.split())
        if code != 0:
            where = ' under the memory probe' if probe_args else ''
            raise WrongResult('AnsiballZ run%s exited %d: %s %s' % (where, code, out.read_text()[-2000:], proc.stderr[-2000:]))
        result = json.loads(out.read_text())
        if len(result.get('ota_tasks', ())) != expected_tasks:
            raise WrongResult('AnsiballZ run: wrong task count')
        return max_kib * 1024 / 1e6  # ru_maxrss is in KiB; MB here are 10^6 bytes (the stricter reading)

    def growth(self):
        repeat = max(1, min(3, self.args.repeat))
        rows = []
        for index, (series, name, groups, tasks) in enumerate(GROWTH):
            ids, data_path = self.scenario_data(groups, tasks)
            emu = EmulatorProcess(data_path, self.args.latency_ms)
            row = {'series': series, 'name': name, 'groups': groups, 'tasks_per_group': tasks, 'tasks': groups * tasks,
                   'expected_calls': groups * max(1, math.ceil(tasks / PAGE_SIZE)), 'floor_round_trips': floor_round_trips(groups, tasks),
                   'runs': {'client': [], 'client_rss': [], 'module': [], 'module_rss': []}, 'calls': {}}
            try:
                payload = self.ansiballz(MODULE, emu, ids)
                for rep in range(repeat + (1 if index == 0 else 0)):   # the very first round warms caches
                    counted = rep or index
                    for who in ('client', 'module', 'module_rss'):
                        emu.reset()
                        if who == 'client':
                            wall, rss = self.client_process(emu, ids, tasks)
                            values = {'client': wall, 'client_rss': rss}
                        elif who == 'module':
                            values = {'module': self.run_module(emu, ids, tasks, keep=False)[0]}
                        else:
                            values = {'module_rss': self.payload_rss(payload, groups * tasks)}
                        calls, _in_flight = self.check_calls(emu, ids, tasks, who)
                        row['calls'].setdefault(who.partition('_')[0], set()).add(calls)
                        if counted:
                            for key, value in values.items():
                                row['runs'][key].append(value)
                    self.progress('growth %s rep %d: %s' % (name, rep, ', '.join(
                        '%s %.3f' % (k, v[-1]) for k, v in row['runs'].items() if counted and v)))
            finally:
                emu.stop()
            row['calls'] = {k: sorted(v) for k, v in row['calls'].items()}
            row['median'] = {k: median(v) for k, v in row['runs'].items()}
            row['floor_s'] = row['floor_round_trips'] * self.args.latency_ms / 1000.0
            rows.append(row)
        return {'rows': rows, 'repeat': repeat}

    # ----------------------------------------------------------------- the gate at scale

    def gate_data(self):
        ids = ['aig-gate-%04d' % i for i in range(GATE_GROUPS)]
        groups = {}
        for number, group in enumerate(ids):
            waited = {'TaskId': 'ota-gate-%04d-run' % number, 'OtaVersion': '0.0.2-R-20240101.000000',
                      'TaskStartTime': '2024-01-01T00:00:00+08:00', 'timeline': [[0, 'RUNNING'], [GATE_FINISH, 'FINISHED']]}
            groups[group] = {'tasks': [waited], 'generate': {'count': GATE_TASKS - 1, 'status': 'FINISHED'}}
        data = {'accounts': [{'access_key_id': AK, 'access_key_secret': SECRET}], 'groups': groups}
        path = self.work / 'data-gate.json'
        path.write_text(json.dumps(data))
        return ids, data

    def gate_run(self, emu, ids, data, polls):
        """One ansible-playbook run of ota_task_wait that ends after exactly POLLS polls: (wall, CPU seconds, calls by group).

        The waited tasks finish at GATE_FINISH seconds on the emulator's timeline clock. For one poll the clock
        is moved past that before the run; otherwise a watcher moves it once the calls of POLLS - 1 polls
        have arrived (the next poll comes GATE_INTERVAL seconds later), so the run makes exactly POLLS polls.
        """
        http('POST', emu.endpoint + '/__emulator/scenario', json.dumps(data).encode('utf-8'))   # restarts the timeline clock
        emu.reset()
        advance = json.dumps({'advance': GATE_FINISH + 60}).encode('utf-8')
        stop = threading.Event()
        watcher = None
        if polls == 1:
            http('POST', emu.endpoint + '/__emulator/clock', advance)
        else:
            def watch():
                while not stop.is_set():
                    if emu.stats()['calls'].get('ListOtaTask', 0) >= (polls - 1) * len(ids):
                        time.sleep(0.3)   # the last requests of that poll are answered; the next poll is seconds away
                        http('POST', emu.endpoint + '/__emulator/clock', advance)
                        return
                    time.sleep(0.05)
            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
        play = self.work / 'gate.yml'
        play.write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n'
                        '    - name: Wait for the OTA tasks of every group\n'
                        '      alibabacloud.appstreaming.ota_task_wait:\n'
                        '        app_instance_group_ids: "{{ gate_groups }}"\n'
                        '        wait_timeout: 600\n'
                        '        poll_interval: %d\n'
                        '        endpoint: "{{ gate_endpoint }}"\n'
                        '        access_key_id: "{{ gate_key }}"\n'
                        '        access_key_secret: "{{ gate_secret }}"\n' % GATE_INTERVAL)
        variables = self.work / 'gate-vars.json'
        variables.write_text(json.dumps({'gate_groups': ids, 'gate_endpoint': emu.endpoint, 'gate_key': AK, 'gate_secret': SECRET}))
        argv = [str(Path(self.ansible).with_name('ansible-playbook')), '-i', 'localhost,', '-c', 'local', '-e', '@%s' % variables, str(play)]
        try:
            wall, usage = timed(argv, ansible_env(), self.work / 'gate.out')
        finally:
            stop.set()
            if watcher is not None:
                watcher.join()
        by_group = emu.stats()['list_calls_by_group']
        wrong = {g: by_group.get(g, 0) for g in ids if by_group.get(g, 0) != polls}
        if wrong:
            raise WrongResult('gate: every group should have been listed %d times (one page per poll), got %s'
                              % (polls, dict(list(wrong.items())[:5])))
        return wall, usage.ru_utime + usage.ru_stime, sum(by_group.get(g, 0) for g in ids)

    def gate(self):
        ids, data = self.gate_data()
        emu = EmulatorProcess(self.work / 'data-gate.json', self.args.latency_ms)
        repeat = max(1, min(3, self.args.repeat))
        runs = {GATE_POLLS: [], 1: []}
        try:
            for rep in range(repeat):
                for polls in (GATE_POLLS, 1):
                    wall, cpu, calls = self.gate_run(emu, ids, data, polls)
                    runs[polls].append({'wall': wall, 'cpu': cpu, 'calls': calls})
                self.progress('gate rep %d: %s' % (rep, ', '.join('%d poll(s) %.2f s wall, %.2f s CPU' % (
                    p, r[-1]['wall'], r[-1]['cpu']) for p, r in runs.items())))
        finally:
            emu.stop()
        many, one = runs[GATE_POLLS], runs[1]
        extra = GATE_POLLS - 1
        listing_floor = floor_round_trips(GATE_GROUPS, GATE_TASKS) * self.args.latency_ms / 1000.0
        return {
            'groups': GATE_GROUPS, 'tasks_per_group': GATE_TASKS, 'polls': GATE_POLLS, 'poll_interval': GATE_INTERVAL, 'repeat': repeat,
            'runs': {str(k): v for k, v in runs.items()},
            'calls_per_poll': sorted({r['calls'] / GATE_POLLS for r in many} | {r['calls'] for r in one}),
            'wall_s': median([r['wall'] for r in many]), 'wall_1_s': median([r['wall'] for r in one]),
            'cpu_s': median([r['cpu'] for r in many]), 'cpu_1_s': median([r['cpu'] for r in one]),
            'time_per_poll_s': (median([r['wall'] for r in many]) - median([r['wall'] for r in one])) / extra,
            'cpu_per_poll_s': (median([r['cpu'] for r in many]) - median([r['cpu'] for r in one])) / extra,
            'listing_floor_s': listing_floor, 'poll_floor_s': GATE_INTERVAL + listing_floor,
            'floor_round_trips': floor_round_trips(GATE_GROUPS, GATE_TASKS),
        }

    # ----------------------------------------------------------------- where the peak memory goes

    def memory_account(self, emu, ids, tasks):
        """Peak RSS per phase of the module process (memory_probe.py), with and without tracemalloc; ping's peak;
        and the size of the result's own objects, counted in this process."""
        payload = self.ansiballz(MODULE, emu, ids)
        phases = {}
        for label, extra in (('rss', []), ('traced', ['--tracemalloc'])):
            report = self.work / ('probe-%s.json' % label)
            emu.reset()
            peak = self.payload_rss(payload, len(ids) * tasks, [str(report)] + extra)
            phases[label] = {'peak_mb': peak, 'phases': json.loads(report.read_text())['phases']}
        ping = self.ansiballz('ansible.builtin.ping')
        out = self.work / 'ping-rss.out'
        helper = ('import os, sys\n'
                  'pid = os.posix_spawn(sys.executable, [sys.executable, sys.argv[1]], os.environ, '
                  'file_actions=[(os.POSIX_SPAWN_OPEN, 1, sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)])\n'
                  '_pid, status, usage = os.wait4(pid, 0)\n'
                  'print(usage.ru_maxrss)\n')
        ping_kib = int(subprocess.run([sys.executable, '-c', helper, ping, str(out)], capture_output=True, text=True, check=True).stdout)
        emu.reset()
        result, _warnings = client_run(self.params(emu, ids))
        return {'probe': phases, 'ping_peak_mb': ping_kib * 1024 / 1e6, 'result_objects': object_sizes(result)}

    def progress(self, text):
        if not self.args.quiet:
            print('  ' + text, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- report

def machine():
    model = ''
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    import ansible.release  # pylint: disable=import-outside-toplevel
    import requests  # pylint: disable=import-outside-toplevel
    return {'cpus': os.cpu_count(), 'cpu_model': model, 'platform': platform.platform(),
            'python': platform.python_version(), 'ansible_core': ansible.release.__version__,
            'requests': requests.__version__}


def sdk_versions(sdk_python):
    proc = subprocess.run([sdk_python, '-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'],
                          capture_output=True, text=True, check=False)
    try:
        found = {p['name'].lower(): p['version'] for p in json.loads(proc.stdout)}
    except ValueError:
        found = {}
    python = subprocess.run([sdk_python, '-c', 'import platform; print(platform.python_version())'],
                            capture_output=True, text=True, check=False).stdout.strip()
    return {'python': python, 'alibabacloud-appstream-center20210901': found.get('alibabacloud-appstream-center20210901'),
            'alibabacloud-tea-openapi': found.get('alibabacloud-tea-openapi')}


def fmt(seconds):
    return '–' if seconds is None else '%.3f' % seconds


def cell(seconds):
    return '–' if seconds is None else '%.3f s' % seconds


def slope(rows, key):
    """Cost per task above the smallest size, at each larger size: (X(n) - X(smallest)) / (n - smallest)."""
    base = rows[0]
    return [(row[key] - base[key]) / (row['tasks'] - base['tasks']) if row.get(key) is not None else None for row in rows[1:]]


def growth_checks(growth):
    """Per series and measure: per-task cost (raw and above the smallest size) and the linearity ratio."""
    checks = []
    for series in ('one group', 'groups'):
        rows = [dict(r['median'], tasks=r['tasks'], name=r['name']) for r in growth['rows'] if r['series'] == series]
        if len(rows) != 3:
            continue
        for key, what, unit, scale in (('client', 'client time', 'us', 1e6), ('module', 'module time', 'us', 1e6),
                                       ('client_rss', 'client peak RSS', 'KB', 1e3), ('module_rss', 'module peak RSS', 'KB', 1e3)):
            middle, largest = slope(rows, key)
            ratio = largest / middle if middle and middle > 0 else None
            checks.append({'series': series, 'key': key, 'what': what, 'unit': unit, 'per_task_middle': middle * scale,
                           'per_task_largest': largest * scale, 'ratio': ratio, 'sizes': [r['name'] for r in rows]})
    return checks


def targets(results, latency_ms):
    big, many, small, mem = (results.get(k) for k in ('10k', '50x20', '5', '200x500'))
    rows = []

    def add(what, measured, goal, ok, text):
        rows.append({'target': what, 'measured': text, 'goal': goal, 'pass': None if ok is None else bool(ok), 'value': measured})

    def own_cost(entry, name):
        """(b) <= E2E_SLACK x ((e) + floor): what the module controls end to end.

        (e) is Ansible alone handling the same result (module start, exit_json, the controller's result processing
        and printing). No module can take less than (e) plus the floor of its listing at the default concurrency,
        and both sides of this ratio run on the same CPU, so it does not move with the CPU's speed.
        """
        m = entry['median_s']
        best = m['replay'] + entry['floor_s']
        ratio = m['module'] / best
        add('%s: module end to end vs (e) Ansible alone returning the same result + the listing floor' % name, ratio,
            '<= %gx' % E2E_SLACK, ratio <= E2E_SLACK, '%.2fx (%s s vs %s s + %s s)' % (ratio, fmt(m['module']), fmt(m['replay']), fmt(entry['floor_s'])))

    def versus_sdk(entry, name):
        """Info only: the SDK loop mostly sleeps and Ansible's share is CPU, so this moves with the CPU's speed."""
        m = entry['median_s']
        ratio = m['sdk'] / m['module']
        add('%s: module end to end vs SDK loop process (depends on CPU speed)' % name, ratio, 'info', None,
            '%.1fx faster (%s s vs %s s)' % (ratio, fmt(m['module']), fmt(m['sdk'])))

    def faster(what, m, ours, theirs, minimum):
        ratio = m[theirs] / m[ours]
        add(what, ratio, '>= %gx faster' % minimum, ratio >= minimum, '%.1fx (%s s vs %s s)' % (ratio, fmt(m[ours]), fmt(m[theirs])))

    if big:
        m = big['median_s']
        faster('10,000 tasks, one group: client in-process vs SDK loop', m, 'client', 'sdk_loop', 8)
        ratio = m['client'] / big['floor_s']
        add('10,000 tasks, one group: client in-process vs its floor (%d round trips x %g ms)' % (big['floor_round_trips'], latency_ms),
            ratio, 'within 1.3x', ratio <= 1.3, '%.2fx (%s s vs %s s)' % (ratio, fmt(m['client']), fmt(big['floor_s'])))
        own_cost(big, '10,000 tasks, one group')
        versus_sdk(big, '10,000 tasks, one group')
    if many:
        m = many['median_s']
        faster('50 groups x 20 tasks: client in-process vs SDK loop', m, 'client', 'sdk_loop', 7)
        own_cost(many, '50 groups x 20 tasks')
        versus_sdk(many, '50 groups x 20 tasks')
    if small:
        m = small['median_s']
        own_cost(small, '5 tasks')
        ratio = m['module'] / m['ping']
        add('5 tasks: module end to end vs `ansible -m ping`', ratio, '<= 1.3x', ratio <= 1.3,
            '%.2fx (%s s vs %s s)' % (ratio, fmt(m['module']), fmt(m['ping'])))
    exact = all(calls == [r['expected_calls']] for r in results.values() if 'calls' in r for who, calls in r['calls'].items() if who != 'sdk')
    if 'growth' in results:
        exact = exact and all(calls == [r['expected_calls']] for r in results['growth']['rows'] for calls in r['calls'].values())
    add('calls per group of N tasks = ceil(N/100) (1 for N <= 100), client and module, every run', exact,
        'exact', exact, ', '.join('%s: %s' % (k, '/'.join(str(c) for c in sorted({c for who, cs in r['calls'].items() if who != 'sdk' for c in cs})))
                                  for k, r in results.items() if 'calls' in r)
        + ('; growth: %s' % ', '.join('%s: %s' % (r['name'], '/'.join(str(c) for c in sorted({c for cs in r['calls'].values() for c in cs})))
                                      for r in results['growth']['rows']) if 'growth' in results else ''))
    if small and 'lean_start' in small:
        lean = small['lean_start']
        ok = lean['ratio'] <= LEAN_START and not lean['credentials_imported'] and not lean['voluptuous_imported']
        add("lean start: imports of the module beyond ping's vs ping's own imports (AnsiballZ, -X importtime), explicit keys",
            lean['ratio'], '<= %gx, no alibabacloud_credentials, no voluptuous' % LEAN_START, ok,
            '%.2fx (%.0f ms vs %.0f ms; the collection %.0f ms, requests and what it imports the rest), %d modules, '
            'alibabacloud_credentials %s, voluptuous %s' % (
                lean['ratio'], lean['ms'], lean['ping_ms'], lean['collection_ms'], lean['modules'],
                'imported' if lean['credentials_imported'] else 'not imported',
                'imported' if lean['voluptuous_imported'] else 'not imported'))
    if mem and 'peak_rss' in mem:
        rss = mem['peak_rss']['mb']
        text = '%.0f MB (%.0f MiB), the highest of %d runs' % (rss, rss * 1e6 / 2 ** 20, len(mem['peak_rss']['runs_mb']))
        add('memory: 100,000 tasks across 200 groups, peak RSS of the module process', rss, '< 150 MB', rss < 150, text)
    if 'growth' in results:
        for check in growth_checks(results['growth']):
            ratio = check['ratio']
            add('how cost grows, %s (%s): %s per task above %s, at %s vs at %s' % (
                check['series'], ' / '.join(check['sizes']), check['what'], check['sizes'][0], check['sizes'][2], check['sizes'][1]),
                ratio, 'within %gx' % LINEAR_SLACK, ratio is not None and ratio <= LINEAR_SLACK,
                '%s (%.1f %s vs %.1f %s)' % ('%.2fx' % ratio if ratio is not None else 'n/a', check['per_task_largest'], check['unit'],
                                             check['per_task_middle'], check['unit']))
    gate = results.get('gate')
    if gate:
        exact = gate['calls_per_poll'] == [gate['groups']]
        add('the gate at scale: ListOtaTask calls per poll, %d groups of %d tasks (one page each)' % (gate['groups'], gate['tasks_per_group']),
            gate['calls_per_poll'], 'exactly %d' % gate['groups'], exact, '/'.join('%g' % c for c in gate['calls_per_poll']))
        ratio = gate['time_per_poll_s'] / gate['poll_floor_s']
        add('the gate at scale: time per poll vs its floor (poll_interval %g s + %d round trips x %g ms)' % (
            gate['poll_interval'], gate['floor_round_trips'], latency_ms), ratio, '<= %gx' % E2E_SLACK, ratio <= E2E_SLACK,
            '%.2fx (%.3f s vs %.3f s)' % (ratio, gate['time_per_poll_s'], gate['poll_floor_s']))
        add('the gate at scale: controller CPU per poll (%d groups; depends on CPU speed)' % gate['groups'], gate['cpu_per_poll_s'], 'info', None,
            '%.3f s (%.2f ms per group)' % (gate['cpu_per_poll_s'], gate['cpu_per_poll_s'] * 1000 / gate['groups']))
    return rows


PHASE_OWNER = (
    ('start', 'interpreter, ansible-core, `requests` and the collection imported; AnsibleModule() (ping: %s)'),
    ('listing', 'the collection: `client.run()` builds the result'),
    ('copy', 'ansible-core: `exit_json` -> `remove_values()` copies every dict and list of the result'),
    ('dumps', 'ansible-core: `json.dumps()` of the copy (the profile encoder re-wraps every dict)'),
    ('print', "ansible-core: `print('\\n%s' % text)`: a second copy of the text, then its UTF-8 bytes"),
    ('end', 'after `sys.exit()`: the module has printed its result'),
)


def memory_lines(memory):
    rss, traced = memory['probe']['rss'], memory['probe']['traced']
    lines = ['', 'Where the peak memory of the module process goes (200 groups x 500 tasks; `tests/bench/memory_probe.py` samples the '
                 'RSS every 2 ms with the phase the module is in, and the kernel\'s high-water mark, which no spike between two samples '
                 'escapes; a second run samples what tracemalloc counts):', '',
             '| phase | owner | highest RSS sampled | high-water mark by its end | added by the phase (RSS) '
             '| added by the phase (Python objects, tracemalloc) |',
             '|---|---|---:|---:|---:|---:|']
    previous_rss = previous_traced = 0
    for phase, owner in PHASE_OWNER:
        r, t = rss['phases'][phase], traced['phases'][phase]
        if not r['samples']:
            continue
        if phase == 'start':
            owner = owner % ('%.1f MB' % memory['ping_peak_mb'])
        lines.append('| %s | %s | %.1f MB | %.1f MB | %+.1f MB | %+.1f MB |' % (
            phase, owner, r['rss'] / 1e6, r.get('hwm', 0) / 1e6, (r['rss'] - previous_rss) / 1e6, (t['traced'] - previous_traced) / 1e6))
        previous_rss, previous_traced = r['rss'], t['traced']
    objects = memory['result_objects']
    lines.append('')
    lines.append('Peak RSS %.1f MB under the probe (%.1f MB with tracemalloc on, which costs memory of its own). The result\'s own '
                 'objects, counted with `sys.getsizeof`: %.1f MB (%d dicts %.1f MB, %d distinct strings %.1f MB, lists %.1f MB).' % (
                     rss['peak_mb'], traced['peak_mb'], objects['total'], objects['dict_count'], objects['dicts'], objects['string_count'],
                     objects['strings'], objects['lists']))
    return lines


def growth_lines(growth):
    lines = ['', 'How cost grows (medians of %d runs; the client runs in a fresh process each time, so its peak RSS is its own; '
                 'the module\'s peak RSS is its AnsiballZ payload\'s):' % growth['repeat'], '',
             '| size (groups x tasks) | tasks | calls (client / module) | floor | (a) client | client peak RSS | (b) module e2e '
             '| module peak RSS | client per task | module per task | client RSS per task | module RSS per task |',
             '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    for row in growth['rows']:
        m = row['median']
        lines.append('| %s | %d | %s / %s | %s (%d RT) | %s | %.1f MB | %s | %.1f MB | %.1f us | %.1f us | %.2f KB | %.2f KB |' % (
            row['name'], row['tasks'], '/'.join(map(str, row['calls'].get('client', []))), '/'.join(map(str, row['calls'].get('module', []))),
            cell(row['floor_s']), row['floor_round_trips'], cell(m['client']), m['client_rss'], cell(m['module']), m['module_rss'],
            m['client'] / row['tasks'] * 1e6, m['module'] / row['tasks'] * 1e6, m['client_rss'] / row['tasks'] * 1e3,
            m['module_rss'] / row['tasks'] * 1e3))
    lines += ['', 'Linearity: cost per task above the smallest size of the series, (X(n) - X(smallest)) / (n - smallest), at the largest '
                  'size against the middle one (target: within %gx):' % LINEAR_SLACK, '',
              '| series | measure | per task, middle size | per task, largest size | ratio |', '|---|---|---:|---:|---:|']
    for check in growth_checks(growth):
        ratio = '%.2fx' % check['ratio'] if check['ratio'] is not None else 'n/a'
        lines.append('| %s | %s | %.1f %s | %.1f %s | %s |' % (
            check['series'], check['what'], check['per_task_middle'], check['unit'], check['per_task_largest'], check['unit'], ratio))
    return lines


def gate_lines(gate):
    return ['', 'The gate at scale: `ansible-playbook` running `alibabacloud.appstreaming.ota_task_wait` on %d groups of %d tasks, '
                'poll_interval %g s, until the waited tasks finish (%d polls; medians of %d runs; the same run with 1 poll gives the '
                'per-poll figures by difference):' % (gate['groups'], gate['tasks_per_group'], gate['poll_interval'], gate['polls'], gate['repeat']),
            '',
            '| polls | wall | controller CPU (user + sys) | ListOtaTask calls per poll | time per poll | floor per poll | CPU per poll |',
            '|---:|---:|---:|---:|---:|---:|---:|',
            '| %d / 1 | %s / %s | %s / %s | %s | %s | %s (%g s + %d RT) | %s |' % (
                gate['polls'], cell(gate['wall_s']), cell(gate['wall_1_s']), cell(gate['cpu_s']), cell(gate['cpu_1_s']),
                '/'.join('%g' % c for c in gate['calls_per_poll']), cell(gate['time_per_poll_s']), cell(gate['poll_floor_s']),
                gate['poll_interval'], gate['floor_round_trips'], cell(gate['cpu_per_poll_s']))]


def markdown(report):
    lines = []
    mach = report['machine']
    lines.append('Machine: %s CPU(s), %s; %s; Python %s, ansible-core %s, requests %s; SDK venv: Python %s, '
                 'alibabacloud-appstream-center20210901 %s, alibabacloud-tea-openapi %s.' % (
                     mach['cpus'], mach['cpu_model'] or 'unknown CPU', mach['platform'], mach['python'], mach['ansible_core'],
                     mach['requests'], report['sdk']['python'], report['sdk']['alibabacloud-appstream-center20210901'],
                     report['sdk']['alibabacloud-tea-openapi']))
    lines.append('Load average (1, 5, 15 min): %s at the start, %s at the end. Emulator latency %g ms; %d runs per contender, '
                 'medians.' % (report['load_start'], report['load_end'], report['latency_ms'], report['repeat']))
    lines.append('')
    lines.append('| scenario | tasks | ListOtaTask calls (client / module / SDK) | floor | (a) client | (b) module e2e | (c) SDK loop '
                 '| (c) SDK process | (d) ping | (e) Ansible alone, same result | (b) - (e) | most in flight (a) |')
    lines.append('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for entry in report['scenarios'].values():
        if 'label' not in entry:
            continue
        m = entry['median_s']
        calls = ' / '.join('/'.join(str(c) for c in entry['calls'].get(w, [])) or '–' for w in ('client', 'module', 'sdk'))
        own = m['module'] - m['replay'] if m.get('module') is not None and m.get('replay') is not None else None
        lines.append('| %s | %d | %s | %s (%d RT) | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            entry['label'], entry['tasks'], calls, cell(entry['floor_s']), entry['floor_round_trips'], cell(m.get('client')),
            cell(m.get('module')), cell(m.get('sdk_loop')), cell(m.get('sdk')), cell(m.get('ping')), cell(m.get('replay')),
            cell(own), max(entry['max_in_flight']) if entry['max_in_flight'] else '–'))
    lines.append('')
    lines.append('| target | measured | goal | result |')
    lines.append('|---|---|---|---|')
    for row in report['targets']:
        verdict = 'info' if row['pass'] is None else ('PASS' if row['pass'] else 'FAIL')
        lines.append('| %s | %s | %s | %s |' % (row['target'], row['measured'], row['goal'], verdict))
    mem = report['scenarios'].get('200x500')
    if mem and 'memory' in mem:
        lines += memory_lines(mem['memory'])
    if 'growth' in report['scenarios']:
        lines += growth_lines(report['scenarios']['growth'])
    if 'gate' in report['scenarios']:
        lines += gate_lines(report['scenarios']['gate'])
    small = report['scenarios'].get('5')
    if small and 'lean_start' in small:
        lines.append('')
        lines.append('Largest imports of the module beyond ping (self ms, median): %s.' % ', '.join(
            '%s %.1f' % (n, ms) for ms, n in small['lean_start']['top_self_ms']))
    return '\n'.join(lines) + '\n'


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ['--client-once']:
        return client_once(argv[1])
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--sdk-python', required=True, help='python of the venv with the official SDK (tests/bench/requirements-sdk.txt)')
    parser.add_argument('--repeat', type=int, default=5, help='timed runs per contender and scenario (default 5), after one warm-up')
    parser.add_argument('--latency-ms', type=float, default=50, help='emulator latency per request (default 50)')
    names = [s[0] for s in SCENARIOS] + list(EXTRA_PARTS)
    parser.add_argument('--scenarios', default=','.join(names), help='comma-separated subset of: %s' % ', '.join(names))
    parser.add_argument('--out', default=str(ROOT / '.build' / 'bench'), help='where results.json and results.md go')
    parser.add_argument('--quiet', action='store_true', help='no progress lines')
    args = parser.parse_args(argv)
    wanted = [s for s in args.scenarios.split(',') if s]
    unknown = set(wanted) - set(names)
    if unknown:
        parser.error('unknown scenario(s): %s' % ', '.join(sorted(unknown)))
    bench = Bench(args)
    report = {'machine': machine(), 'sdk': sdk_versions(args.sdk_python), 'latency_ms': args.latency_ms, 'repeat': args.repeat,
              'load_start': ' '.join('%.2f' % x for x in os.getloadavg()), 'scenarios': {}}
    try:
        for name, label, groups, tasks, contenders in SCENARIOS:
            if name in wanted:
                print('scenario %s ...' % label, file=sys.stderr, flush=True)
                report['scenarios'][name] = bench.scenario(name, label, groups, tasks, contenders)
        if 'growth' in wanted:
            print('how cost grows ...', file=sys.stderr, flush=True)
            report['scenarios']['growth'] = bench.growth()
        if 'gate' in wanted:
            print('the gate at scale ...', file=sys.stderr, flush=True)
            report['scenarios']['gate'] = bench.gate()
    except WrongResult as exc:
        print('WRONG RESULT: %s' % exc, file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)
    report['load_end'] = ' '.join('%.2f' % x for x in os.getloadavg())
    report['targets'] = targets(report['scenarios'], args.latency_ms)
    text = markdown(report)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / 'results.json').write_text(json.dumps(report, indent=2, default=str))
    (out / 'results.md').write_text(text)
    print(text)
    counted = [row for row in report['targets'] if row['pass'] is not None]
    failed = [row['target'] for row in counted if not row['pass']]
    print('RESULT: %s (%s)' % ('all %d targets met' % len(counted) if not failed else '%d of %d targets missed' % (
        len(failed), len(counted)), out / 'results.md'))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
