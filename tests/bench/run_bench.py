#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The performance benchmark behind `make bench` (run it through tests/tools/bench.sh).

For each scenario it starts the emulator (tests/emulator/ota_emulator.py) as its own process with
``--latency-ms`` (50) and runs, side by side and interleaved, ``--repeat`` times each:

  (a) client  our OtaTaskClient in this process (client.run(), as the module calls it);
  (b) module  ``ansible localhost -m alibabacloud.appstreaming.ota_task_info`` end to end;
  (c) sdk     peer_bench_sdk.py, the official SDK's sequential paging loop, in its own venv:
              its listing loop (``sdk loop``) and its whole process (``sdk process``);
  (d) ping    ``ansible localhost -m ansible.builtin.ping``, the floor of any module run;
  (e) replay  ``ansible localhost -m bench_replay`` (tests/bench/library): a stub returning the very
              result (b) returned, so (e) is what Ansible alone costs for a result of that size and
              (b) - (e) is what the module itself costs (imports, listing).

It also measures, from the real AnsiballZ payload of the module: the import time of what the
module imports beyond what ping imports (``python -X importtime``), and the peak RSS of the
module process for 200 groups x 500 tasks (os.wait4). Every run checks its result (the exact
task count of every group, and for (a) the exact tasks in API order) and the emulator's
counters (ListOtaTask calls per group, most requests in flight).

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
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EMULATOR = ROOT / 'tests' / 'emulator' / 'ota_emulator.py'
PEER = HERE / 'peer_bench_sdk.py'
MODULE = 'alibabacloud.appstreaming.ota_task_info'
AK, SECRET = 'LTAI-bench-0001', 'bench-secret-5e1f0c'
PEER_ACCOUNT = {'access_key_id': 'AKIDEXAMPLE', 'access_key_secret': 'secret'}  # what peer_bench_sdk.py signs with
PAGE_SIZE = 100
MAX_CONCURRENCY = 16  # the module's default, which the benchmark does not change

# name, label, groups, tasks per group, contenders
SCENARIOS = (
    ('10k', '1 group x 10,000 tasks', 1, 10000, ('client', 'module', 'sdk', 'replay')),
    ('50x20', '50 groups x 20 tasks', 50, 20, ('client', 'module', 'sdk', 'replay')),
    ('5', '1 group x 5 tasks', 1, 5, ('client', 'module', 'sdk', 'ping', 'replay')),
    ('200x500', '200 groups x 500 tasks (memory)', 200, 500, ('client', 'module')),
)


class WrongResult(Exception):
    """A run returned something else than the emulator holds: the benchmark is void."""


# --------------------------------------------------------------------------- helpers

def median(values):
    return statistics.median(values) if values else None


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

    def __init__(self, data_path, latency_ms):
        self.command = [sys.executable, str(EMULATOR), '--data', str(data_path), '--latency-ms', str(latency_ms),
                        '--port', '0', '--max-seconds', '3600']
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
        # pylint: disable-next=import-outside-toplevel
        from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import client, options
        spec = options.query_argument_spec()
        spec.update(options.connection_argument_spec())
        params = {name: option.get('default') for name, option in spec.items()}  # what AnsibleModule hands the module
        params.update(self.params(emu, ids))
        start = time.perf_counter()
        result, _warnings = client.run(params)
        wall = time.perf_counter() - start
        got = result['ota_tasks']
        if len(got) != len(ids) * tasks or result['total_count'] != len(ids) * tasks:
            raise WrongResult('client: %d tasks, expected %d' % (len(got), len(ids) * tasks))
        if truth is not None and [(t['app_instance_group_id'], t['task_id']) for t in got] != truth:
            raise WrongResult('client: the tasks are not the emulator tasks in API order')
        return wall, {}

    def run_module(self, emu, ids, tasks):
        out = self.work / 'module.out'
        argv = [self.ansible, 'localhost', '-m', MODULE, '-a', json.dumps(self.params(emu, ids))]
        wall, _usage = timed(argv, ansible_env(), out)
        result = module_result(out)
        if len(result.get('ota_tasks', ())) != len(ids) * tasks:
            raise WrongResult('module: %d tasks, expected %d' % (len(result.get('ota_tasks', ())), len(ids) * tasks))
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
        module = self.ansiballz(MODULE, emu, ids)
        ping = self.ansiballz('ansible.builtin.ping')
        totals, biggest, names = [], {}, set()
        for _round in range(self.args.repeat):
            base = self.importtime(ping)
            mine = self.importtime(module)
            extra = {n: us for n, us in mine.items() if n not in base and not n.startswith('ansible.')}
            names.update(extra)
            totals.append(sum(extra.values()) / 1000.0)
            for n, us in extra.items():
                biggest.setdefault(n, []).append(us)
        top = sorted(((median(v) / 1000.0, n) for n, v in biggest.items()), reverse=True)[:8]
        return {'ms': median(totals), 'runs_ms': totals, 'modules': len(names),
                'credentials_imported': any(n.startswith('alibabacloud_credentials') for n in names),
                'voluptuous_imported': any(n.startswith('voluptuous') for n in names),
                'top_self_ms': [(round(ms, 1), n) for ms, n in top]}

    def peak_rss(self, emu, ids, tasks):
        """Peak RSS of the module process, as Ansible runs it (its AnsiballZ payload).

        Linux counts the RSS a process had before exec() in its ru_maxrss, so the payload is
        started from a small helper process, not from this one (which holds 100,000 tasks).
        """
        payload = self.ansiballz(MODULE, emu, ids)
        peaks = []
        for _round in range(max(1, min(3, self.args.repeat))):
            out = self.work / 'rss.out'
            helper = ('import os, sys\n'
                      'pid = os.posix_spawn(sys.executable, [sys.executable, sys.argv[1]], os.environ, '
                      'file_actions=[(os.POSIX_SPAWN_OPEN, 1, sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)])\n'
                      '_pid, status, usage = os.wait4(pid, 0)\n'
                      'print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n')
            proc = subprocess.run([sys.executable, '-c', helper, payload, str(out)], capture_output=True, text=True, check=True)
            code, max_kib = (int(x) for x in proc.stdout.split())
            if code != 0:
                raise WrongResult('AnsiballZ run exited %d' % code)
            result = json.loads(out.read_text())
            if len(result.get('ota_tasks', ())) != len(ids) * tasks:
                raise WrongResult('AnsiballZ run: wrong task count')
            peaks.append(max_kib * 1024 / 1e6)  # ru_maxrss is in KiB; MB here are 10^6 bytes (the stricter reading)
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
        finally:
            emu.stop()
        entry['calls'] = {k: sorted(v) for k, v in entry['calls'].items()}
        med = {who: median(runs) for who, runs in entry['runs'].items()}
        if 'sdk' in contenders:
            med['sdk_loop'] = median([x['loop'] for x in entry['extra']['sdk']])
        entry['median_s'] = med
        return entry

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


def targets(results, latency_ms):
    big, many, small, mem = (results.get(k) for k in ('10k', '50x20', '5', '200x500'))
    rows = []

    def add(what, measured, goal, ok, text):
        rows.append({'target': what, 'measured': text, 'goal': goal, 'pass': bool(ok), 'value': measured})

    def bound(entry, name, target):
        """Not a target: the ratio a module would reach if it cost only the listing floor on top of (e).

        (e) is Ansible alone handling the same result (module start, exit_json, the controller's
        result processing and printing); no module can take less than that plus the floor of
        its listing at the default concurrency, so SDK process / ((e) + floor) bounds the
        end-to-end ratio on this machine, whatever the module does.
        """
        m = entry['median_s']
        if m.get('replay'):
            best = m['replay'] + entry['floor_s']
            ratio = m['sdk'] / best
            rows.append({'target': '%s: the best any module can reach here, SDK loop process vs (e) Ansible alone returning the '
                                   'same result + the listing floor' % name,
                         'measured': '%.1fx (%s s + %s s vs %s s)' % (ratio, fmt(m['replay']), fmt(entry['floor_s']), fmt(m['sdk'])),
                         'goal': 'info: bounds the %gx target' % target, 'pass': None, 'value': ratio})

    def faster(what, m, ours, theirs, minimum):
        ratio = m[theirs] / m[ours]
        add(what, ratio, '>= %gx faster' % minimum, ratio >= minimum, '%.1fx (%s s vs %s s)' % (ratio, fmt(m[ours]), fmt(m[theirs])))

    if big:
        m = big['median_s']
        faster('10,000 tasks, one group: client in-process vs SDK loop', m, 'client', 'sdk_loop', 8)
        ratio = m['client'] / big['floor_s']
        add('10,000 tasks, one group: client in-process vs its floor (%d round trips x %g ms)' % (big['floor_round_trips'], latency_ms),
            ratio, 'within 1.3x', ratio <= 1.3, '%.2fx (%s s vs %s s)' % (ratio, fmt(m['client']), fmt(big['floor_s'])))
        faster('10,000 tasks, one group: module end to end vs SDK loop process', m, 'module', 'sdk', 3)
        bound(big, '10,000 tasks, one group', 3)
    if many:
        m = many['median_s']
        faster('50 groups x 20 tasks: client in-process vs SDK loop', m, 'client', 'sdk_loop', 7)
        faster('50 groups x 20 tasks: module end to end vs SDK loop process', m, 'module', 'sdk', 2.5)
        bound(many, '50 groups x 20 tasks', 2.5)
    if small:
        m = small['median_s']
        ratio = m['module'] / m['ping']
        add('5 tasks: module end to end vs `ansible -m ping`', ratio, '<= 1.3x', ratio <= 1.3,
            '%.2fx (%s s vs %s s)' % (ratio, fmt(m['module']), fmt(m['ping'])))
    exact = all(calls == [r['expected_calls']] for r in results.values() for who, calls in r['calls'].items() if who != 'sdk')
    add('calls per group of N tasks = ceil(N/100) (1 for N <= 100), client and module, every run', exact,
        'exact', exact, ', '.join('%s: %s' % (k, '/'.join(str(c) for c in sorted({c for who, cs in r['calls'].items() if who != 'sdk' for c in cs})))
                                  for k, r in results.items()))
    if small and 'lean_start' in small:
        lean = small['lean_start']
        ok = lean['ms'] <= 80 and not lean['credentials_imported']
        add('lean start: imports of the module beyond ping\'s (AnsiballZ, -X importtime), explicit keys', lean['ms'], '<= 80 ms, '
            'no alibabacloud_credentials', ok, '%.0f ms, %d modules, alibabacloud_credentials %s' % (
                lean['ms'], lean['modules'], 'imported' if lean['credentials_imported'] else 'not imported'))
    if mem and 'peak_rss' in mem:
        rss = mem['peak_rss']['mb']
        text = '%.0f MB (%.0f MiB), the highest of %d runs' % (rss, rss * 1e6 / 2 ** 20, len(mem['peak_rss']['runs_mb']))
        add('memory: 100,000 tasks across 200 groups, peak RSS of the module process', rss, '< 150 MB', rss < 150, text)
    return rows


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
    small = report['scenarios'].get('5')
    if small and 'lean_start' in small:
        lines.append('')
        lines.append('Largest imports of the module beyond ping (self ms, median): %s.' % ', '.join(
            '%s %.1f' % (n, ms) for ms, n in small['lean_start']['top_self_ms']))
    return '\n'.join(lines) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--sdk-python', required=True, help='python of the venv with the official SDK (tests/bench/requirements-sdk.txt)')
    parser.add_argument('--repeat', type=int, default=5, help='timed runs per contender and scenario (default 5), after one warm-up')
    parser.add_argument('--latency-ms', type=float, default=50, help='emulator latency per request (default 50)')
    parser.add_argument('--scenarios', default=','.join(s[0] for s in SCENARIOS),
                        help='comma-separated subset of: %s' % ', '.join(s[0] for s in SCENARIOS))
    parser.add_argument('--out', default=str(ROOT / '.build' / 'bench'), help='where results.json and results.md go')
    parser.add_argument('--quiet', action='store_true', help='no progress lines')
    args = parser.parse_args(argv)
    wanted = [s for s in args.scenarios.split(',') if s]
    unknown = set(wanted) - {s[0] for s in SCENARIOS}
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
