# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every documented example runs, as written, through real ansible against the emulator.

The examples are collected from the docs and plugins by ``example_collector`` (nothing is listed
here). Only the endpoint and the credentials are substituted, the least invasive way that reaches
every plugin:

* play-level ``module_defaults`` with ``endpoint`` and ``sts_endpoint`` for the collection's action
  group and each of its modules (added to a play's own module_defaults, never overriding a key of it);
* the inventory's ``ansible_appstreaming_endpoint`` / ``_sts_endpoint`` variables (the lookup's);
* ``ALIBABA_CLOUD_ACCESS_KEY_ID`` / ``_SECRET`` in the environment, and the profiles the examples name
  in ``~/.aliyun/config.json`` (all holding the emulator's key);
* for an ad hoc command line: the loopback URL in it, else ``endpoint=`` added to its ``-a``.

Variables the examples expect from the user (``rollout_groups``) are inventory variables for all
hosts, as a user's group_vars would give them (lower precedence than anything the example sets).

The scenario gives every delivery group an example names a real-looking history: older FAILED,
TERMINATED and PART_FINISHED tasks, every OTA version any example names (an older FAILED attempt
and a newer FINISHED one), and a newest task that has FINISHED (one group's is RUNNING and finishes
a few seconds later). Each example must succeed without an ignored error, reach the end of the
play, make ListOtaTask calls for every group it names and get no API error.

Run them in parallel: ``tests/tools/integration.sh -n 4 -k test_examples``.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import subprocess
import sys

import pytest
import yaml

import example_collector as collector  # noqa: E402  pylint: disable=wrong-import-position
from conftest import AK, ROOT, SECRET, account  # noqa: E402  pylint: disable=wrong-import-position
from ota_emulator import parse_scenario  # noqa: E402  pylint: disable=wrong-import-position

EXAMPLES = collector.collect(ROOT)
RUNNABLE = ('tasks', 'plays', 'vars', 'command', 'emulator_data', 'rulebook', 'eda_playbook')
YAML_KINDS = ('tasks', 'plays', 'vars', 'eda_playbook')
# What the event source gives a playbook that a rulebook runs (ansible_eda.event): a group that settled.
EDA_EVENT = {'event': {'type': 'ota_group', 'app_instance_group_id': 'aig-53fvrq1oanz6c', 'in_flight': False,
                       'newest_status': 'FINISHED', 'succeeded': True}}
EVERYTHING = '\n'.join(example.text for example in EXAMPLES)

# What a user of the documented examples would have in group_vars.
USER_VARS = {'rollout_groups': ['aig-53fvrq1oanz6c', 'aig-9x2kq7h1c3m0d']}
# The groups of the collection's demo playbook (docs run it); its large and empty groups as in sample_data.json.
DEMO_GROUPS = ('aig-demo-rollout', 'aig-demo-large', 'aig-demo-empty')
# The other groups of sample_data.json (the approval and rollout examples name them for their OTA state - an update
# offered, one failing, running or approved for next month): as there.
SAMPLE_GROUPS = {group_id: group for group_id, group in
                 json.loads((ROOT / 'tests' / 'emulator' / 'sample_data.json').read_text())['groups'].items()
                 if group_id not in DEMO_GROUPS}
# What lists delivery groups besides ListOtaTask (app_instance_group_info, ota_task, ota_rollout_plan).
GROUP_ACTIONS = ('ListAppInstanceGroup', 'GetOtaTaskByTaskId', 'ApproveOtaTask')
# This group's newest task is RUNNING and finishes QUICK_FINISH seconds after the emulator starts.
QUICK_GROUP = 'aig-canary-2'
QUICK_FINISH = 5
RUN_TIMEOUT = 180   # seconds for one ansible run; the scenario lets every example finish in well under a minute
DONE = 'EXAMPLE-HARNESS-REACHED-THE-END'

# After the example: a wait it ran passed (also with ota_wait_fail: false), and the play got to its end.
EPILOGUE_TASKS = [
    {'name': 'Harness - the gate the example ran passed', 'ansible.builtin.assert': {
        'that': ['ota_wait_result.success'], 'fail_msg': 'the example gated on a wait that failed: {{ ota_wait_result.msg }}'},
     'when': 'ota_wait_result is defined'},
    {'name': 'Harness - end of the example', 'ansible.builtin.debug': {'msg': DONE}},
]


def _task_id(group_id, index):
    digest = hashlib.sha1(('%s/%d' % (group_id, index)).encode('utf-8')).digest()
    number = int.from_bytes(digest, 'big')
    chars = []
    for _position in range(17):
        number, rest = divmod(number, 36)
        chars.append('0123456789abcdefghijklmnopqrstuvwxyz'[rest])
    return 'ota-' + ''.join(chars)


def _built(version):
    return datetime.datetime.strptime(version.split('-R-')[1], '%Y%m%d.%H%M%S').replace(
        tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def _version(prefix, when):
    return '%s-R-%s' % (prefix, when.strftime('%Y%m%d.%H%M%S'))


def history(group_id, versions):
    """A delivery group's OTA history, newest first: for each of VERSIONS (oldest first) a FAILED attempt and
    the FINISHED retry two days later; between two of them a TERMINATED and a PART_FINISHED task of an
    intermediate version; before the first, an old FINISHED one."""
    entries = []   # (start, version, status), oldest first
    first = _built(versions[0])
    entries.append((first - datetime.timedelta(days=60), _version(versions[0].split('-R-')[0], first - datetime.timedelta(days=62)),
                    'FINISHED'))
    previous = None
    for version in versions:
        built = _built(version)
        if previous is not None:
            middle = previous + (built - previous) / 2
            between = _version(version.split('-R-')[0], middle)
            entries.append((middle + datetime.timedelta(days=1), between, 'TERMINATED'))
            entries.append((middle + datetime.timedelta(days=2), between, 'PART_FINISHED'))
        entries.append((built + datetime.timedelta(days=1, hours=2), version, 'FAILED'))
        entries.append((built + datetime.timedelta(days=3, hours=2), version, 'FINISHED'))
        previous = built
    tasks = []
    for index, (start, version, status) in enumerate(reversed(entries)):
        task = {'TaskId': _task_id(group_id, index), 'OtaVersion': version,
                'TaskStartTime': start.isoformat(timespec='seconds'), 'TaskDisplayStatus': status}
        if index == 0 and group_id == QUICK_GROUP:
            task['timeline'] = [[0, 'RUNNING'], [QUICK_FINISH, 'FINISHED']]
            del task['TaskDisplayStatus']
        tasks.append(task)
    return {'tasks': tasks}


def scenario():
    """Every group any example (or USER_VARS) names, with a history holding every OTA version any example names."""
    versions = sorted(collector.ota_versions(EVERYTHING), key=_built) or ['0.0.1-R-20220708.110604']
    named = set(collector.group_ids(EVERYTHING)) | set(USER_VARS['rollout_groups']) | {QUICK_GROUP, DEMO_GROUPS[0]}
    groups = {group: history(group, versions) for group in sorted(named - set(DEMO_GROUPS[1:]) - set(SAMPLE_GROUPS))}
    groups.update((group, SAMPLE_GROUPS[group]) for group in sorted(named & set(SAMPLE_GROUPS)))
    groups['aig-demo-large'] = {'generate': {'count': 250, 'status': 'FINISHED'}}
    groups['aig-demo-empty'] = {'tasks': []}
    return {'accounts': [account()], 'groups': groups}


SCENARIO = scenario()


def _aliyun_config():
    """The aliyun CLI config of the user: every profile an example names, with the emulator's key."""
    names = collector.profiles(EVERYTHING) or ['default']
    return {'current': names[0], 'profiles': [
        {'name': name, 'mode': 'AK', 'access_key_id': AK, 'access_key_secret': SECRET, 'region_id': 'cn-shanghai'}
        for name in names]}


def _inventory(directory, server, example=None):
    """An inventory directory: localhost, and two local hosts for each host or group a play names."""
    directory.mkdir()
    children = {name: {'hosts': {'%s-%d' % (name, n): {} for n in (1, 2)}}
                for name in (collector.hosts_named(example) if example else [])}
    variables = dict(USER_VARS, ansible_connection='local', ansible_python_interpreter=sys.executable,
                     ansible_appstreaming_endpoint=server.endpoint, ansible_appstreaming_sts_endpoint=server.endpoint)
    inventory = {'all': {'hosts': {'localhost': {}}, 'vars': variables, 'children': children}}
    (directory / 'hosts.yml').write_text(yaml.safe_dump(inventory, sort_keys=False))
    return directory


def _playbook(example, server):
    """The example as a playbook: a task list in a localhost play, plays as written; module_defaults added."""
    defaults = {'endpoint': server.endpoint, 'sts_endpoint': server.endpoint}
    epilogue = yaml.safe_dump(EPILOGUE_TASKS, sort_keys=False, width=1000)
    if example.kind == 'tasks':
        head = {'name': 'Example %s' % example.ident, 'hosts': 'localhost', 'gather_facts': False}
        collector.inject_module_defaults(head, defaults)
        return (yaml.safe_dump([head], sort_keys=False, width=1000) + '  tasks:\n'
                + _indent(example.text) + '\n' + _indent(epilogue))
    if example.kind == 'vars':
        head = {'name': 'Example %s (as group_vars/all.yml)' % example.ident, 'hosts': 'localhost', 'gather_facts': False,
                'tasks': [{'name': 'The lookup with these variables', 'ansible.builtin.assert': {
                    'that': ["query('alibabacloud.appstreaming.ota_tasks', rollout_groups) | length > 0"]}}]}
        head['tasks'] += EPILOGUE_TASKS
        return yaml.safe_dump([head], sort_keys=False, width=1000)
    plays = example.data()
    for play in plays:
        if 'import_playbook' not in play:
            collector.inject_module_defaults(play, defaults)
    plays.append({'name': 'Harness', 'hosts': 'localhost', 'gather_facts': False, 'tasks': EPILOGUE_TASKS})
    return yaml.safe_dump(plays, sort_keys=False, width=1000)


def _indent(text, prefix='    '):
    return '\n'.join(prefix + line if line.strip() else '' for line in text.splitlines())


def _run(ansible, argv, env):
    """Like Ansible.run, with a shorter timeout (a wait that hangs must not hold the suite for long)."""
    try:
        proc = subprocess.run(argv, cwd=str(ansible.workdir), env=ansible.env(env), capture_output=True, text=True,
                              timeout=RUN_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        printed = ''.join(part.decode(errors='replace') if isinstance(part, bytes) else part or ''
                          for part in (exc.stdout, exc.stderr))
        ansible.outputs.append(printed)
        pytest.fail('%s did not end within %ds:\n%s' % (' '.join(argv[:3]), RUN_TIMEOUT, printed[-3000:]))
    ansible.outputs.append(proc.stdout + proc.stderr)
    return proc


def _recap_problems(stdout):
    """Hosts of the PLAY RECAP with a failed, unreachable or ignored task."""
    bad = []
    for line in stdout.splitlines():
        counts = dict(re.findall(r'(\w+)=(\d+)', line)) if ' : ok=' in line else {}
        if any(int(counts.get(key, 0)) for key in ('failed', 'unreachable', 'ignored')):
            bad.append(line.strip())
    return bad


def _params(kinds):
    return [pytest.param(example, id=example.ident) for example in EXAMPLES if example.kind in kinds]


def run_example(example, emulator, ansible):
    """Run EXAMPLE against a fresh emulator; what went wrong, as sentences (empty when it ran as it should)."""
    server = emulator(SCENARIO['groups'], SCENARIO['accounts'])
    aliyun = ansible.home / '.aliyun'
    aliyun.mkdir()
    (aliyun / 'config.json').write_text(json.dumps(_aliyun_config()))
    inventory = _inventory(ansible.workdir / 'inventory', server, example if example.kind in ('plays', 'eda_playbook') else None)
    if example.kind == 'vars':
        (inventory / 'group_vars').mkdir()
        (inventory / 'group_vars' / 'all.yml').write_text(example.text)
    env = {'ALIBABA_CLOUD_ACCESS_KEY_ID': AK, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': SECRET,
           'ANSIBLE_INVENTORY': str(inventory)}
    if example.kind == 'command':
        argv = collector.substitute_command(example.text, server.endpoint, ROOT)
    else:
        playbook = ansible.workdir / 'example.yml'
        playbook.write_text(_playbook(example, server))
        argv = ['ansible-playbook', str(playbook)]
        if example.kind == 'eda_playbook':
            argv += ['-e', json.dumps({'ansible_eda': EDA_EVENT})]
    proc = _run(ansible, argv, env)
    found = []
    if proc.returncode != 0:
        found.append('exit status %d' % proc.returncode)
    found += ['failed or ignored errors: %s' % line for line in _recap_problems(proc.stdout)]
    if example.kind != 'command' and DONE not in proc.stdout:
        found.append('the play ended before the end of the example')
    stats = server.stats()
    listing = ('ListOtaTask', 'ListAppInstanceGroup')
    if not any(stats['ok_calls'].get(action) for action in listing) and example.kind != 'eda_playbook':   # a rulebook's playbook may only act
        found.append('no ListOtaTask or ListAppInstanceGroup call (was the example skipped?)')
    if 'role_arn' in example.text and not stats['ok_calls'].get('AssumeRole'):
        found.append('role_arn given but no AssumeRole call')
    if stats['error_codes']:
        found.append('API errors: %s' % stats['error_codes'])
    text = example.text if example.kind == 'command' else yaml.safe_dump(example.data())   # without comments
    unlisted = sorted(set(collector.group_ids(text)) - set(stats['list_calls_by_group']) - _groups_read(stats, server))
    if unlisted:
        found.append('groups the example names but never listed: %s' % ', '.join(unlisted))
    if found:
        found.append('%s printed:\n%s' % (' '.join(argv[:2]), (proc.stdout + proc.stderr)[-6000:]))
    return found


def _groups_read(stats, server):
    """The groups read by the group APIs: a listing of a whole region reads every group of it, else the group asked for."""
    read = set()
    for entry in stats['log']:
        if entry['action'] in GROUP_ACTIONS and entry['status'] == 200 and not entry.get('code'):
            if entry['action'] == 'ListAppInstanceGroup' and not entry.get('group'):
                read |= {group['AppInstanceGroupId'] for group in server.groups()}
            elif entry.get('group'):
                read.add(entry['group'])
    return read


@pytest.mark.parametrize('example', _params(RUNNABLE + ('skip',)))
def test_example_runs(example, emulator, ansible):
    """The example runs as written against the emulator (only endpoint and credentials substituted)."""
    if example.kind == 'skip':
        pytest.skip('not an example to run: %s' % example.reason)
    if example.kind == 'emulator_data':
        parse_scenario(json.loads(example.text))   # the emulator takes it (ValueError names the problem)
        return
    if example.kind == 'rulebook':
        check_rulebook(example.data())   # the eda gate runs the collection's rulebook through ansible-rulebook
        return
    problems = run_example(example, emulator, ansible)
    if problems:
        pytest.fail('\n'.join(problems), pytrace=False)


def check_rulebook(rulesets):
    """Every ruleset has rules with a condition and an action, and our event source's arguments pass its own checks."""
    from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import events
    from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec
    from ansible_collections.alibabacloud.appstreaming.plugins.plugin_utils.options import validate
    sources = 0
    for ruleset in rulesets:
        assert ruleset.get('hosts') and ruleset.get('rules'), 'a ruleset needs hosts and rules'
        for rule in ruleset['rules']:
            assert rule.get('condition') and (rule.get('action') or rule.get('actions')), 'rule %r' % rule.get('name')
        for source in ruleset.get('sources') or []:
            args = source.get('alibabacloud.appstreaming.ota_task_events')
            if args is not None:
                sources += 1
                events.parse(validate(dict(events.argument_spec(), **connection_argument_spec()), dict(args)))
    assert sources, 'the rulebook does not use alibabacloud.appstreaming.ota_task_events'


@pytest.mark.parametrize('example', _params(YAML_KINDS))
def test_example_patterns(example):
    """No gate on all_terminal; ota_task_info / ota_task_wait in a multi-host play run once, on the controller."""
    problems = collector.problems(example)
    if problems:
        pytest.fail('\n'.join(problems), pytrace=False)


# -- the harness itself ---------------------------------------------------------------------------

def test_every_source_has_examples():
    """The collector finds the examples of every source (a changed fence syntax must not silently run nothing)."""
    paths = {example.path for example in EXAMPLES if example.kind in RUNNABLE}
    wanted = {'README.md', 'docs/gating-a-rollout.md', 'docs/getting-started.md', 'docs/lookup.md'}
    wanted |= {p.relative_to(ROOT).as_posix() for p in ROOT.glob('plugins/modules/*.py')}
    wanted |= {p.relative_to(ROOT).as_posix() for p in ROOT.glob('plugins/lookup/*.py')}
    wanted |= {p.relative_to(ROOT).as_posix() for p in ROOT.glob('roles/*/README.md')}
    assert wanted <= paths, 'no runnable example found in %s' % sorted(wanted - paths)
    idents = [example.ident for example in EXAMPLES]
    assert len(idents) == len(set(idents)), 'duplicate example ids'


def test_role_argument_specs_have_no_examples():
    """ansible-doc -t role shows argument_specs.yml: it has no examples (if one is added, the collector runs it)."""
    for path in ROOT.glob('roles/*/meta/argument_specs.yml'):
        specs = yaml.safe_load(path.read_text())['argument_specs']
        assert not [entry for entry, spec in specs.items() if 'examples' in spec], path
        assert not collector.argument_spec_examples(path.read_text(), 'x'), path


def test_collector_reads_markdown_and_examples():
    markdown = '\n'.join([
        'text', '```yaml', '- name: one', '  ansible.builtin.debug:', '```',
        '1. item', '', '   ```yaml', '   - hosts: web', '     tasks: []', '   ```',
        '```bash', 'pip install x', 'ansible localhost -m alibabacloud.appstreaming.ota_task_info \\',
        '  -a "app_instance_group_id=aig-1 endpoint=http://127.0.0.1:8080"', '```',
        '```yaml', 'task_id: ota-1', '```', '```json', '{"groups": {}}', '```', '```ini', '[x]', '```',
        '```yaml', '- {task_id: ota-2, status: FAILED}', '```', '```json', '{"waves": [{"groups": ["aig-1"]}]}', '```'])
    found = collector.markdown_examples(markdown, 'doc.md')
    assert [(e.ident, e.kind) for e in found] == [
        ('doc.md:2', 'tasks'), ('doc.md:8', 'plays'), ('doc.md:14', 'command'),
        ('doc.md:17', 'skip'), ('doc.md:20', 'emulator_data'), ('doc.md:23', 'skip'), ('doc.md:26', 'skip'),
        ('doc.md:29', 'skip')]   # a result sample whose "groups" are not at the top is no scenario
    assert found[1].data() == [{'hosts': 'web', 'tasks': []}]
    argv = collector.substitute_command(found[2].text, 'http://127.0.0.1:5')
    assert argv[-1] == 'app_instance_group_id=aig-1 endpoint=http://127.0.0.1:5'
    argv = collector.substitute_command('ansible localhost -m %s -a group=aig-1' % collector.INFO_MODULE, 'http://h:1')
    assert argv[-1] == 'group=aig-1 endpoint=http://h:1'
    argv = collector.substitute_command('ansible-playbook playbooks/demo.yml -e x=http://localhost:8080', 'http://h:1', ROOT)
    assert argv == ['ansible-playbook', str(ROOT / 'playbooks' / 'demo.yml'), '-e', 'x=http://h:1']
    source = 'X = 1\nEXAMPLES = r"""\n- name: a\n  ansible.builtin.debug:\n# ansible localhost -m m \\\n#   -a x=1\n"""\n'
    found = collector.python_examples(source, 'p.py')
    assert [(e.ident, e.kind, e.text) for e in found][1:] == [('p.py:5', 'command', 'ansible localhost -m m -a x=1')]
    assert found[0].kind == 'tasks'


def _problems(text):
    example = collector.yaml_example(text, 'x.md', 1, 'yaml')
    return collector.problems(example)


def test_patterns_gating_on_all_terminal_are_found():
    assert _problems('''
- name: Wait
  ansible.builtin.include_role:
    name: alibabacloud.appstreaming.ota_wait
  when: not release.all_terminal
''')
    assert _problems('''
- hosts: localhost
  roles:
    - role: alibabacloud.appstreaming.ota_wait
      when: [release is defined, not release.all_terminal]
''')
    assert _problems('''
- block:
    - ansible.builtin.assert:
        that: ota.all_terminal
''')
    assert _problems('- {alibabacloud.appstreaming.ota_task_info: {app_instance_group_id: a}, register: r, until: r.all_terminal}')
    assert not _problems('- ansible.builtin.debug: {msg: "{{ ota.all_terminal }}"}')


def test_patterns_info_in_multi_host_play_is_found():
    play = '''
- hosts: %s
  tasks:
    - block:
        - alibabacloud.appstreaming.ota_task_info:
            app_instance_group_id: aig-1
          %s
      %s
'''
    assert _problems(play % ('webservers', '', ''))
    assert _problems(play % ('webservers', 'run_once: true', ''))
    assert _problems(play % ('webservers', 'delegate_to: localhost', ''))
    assert not _problems(play % ('webservers', 'delegate_to: localhost', 'run_once: true'))
    assert not _problems(play % ('webservers', 'run_once: true', 'delegate_to: 127.0.0.1'))
    assert not _problems(play % ('localhost', '', ''))
    assert _problems(play.replace('ota_task_info', 'ota_task_wait') % ('all', '', ''))
    assert not _problems(play.replace('ota_task_info', 'ota_task_wait') % ('all', 'run_once: yes', ''))
    assert collector.hosts_named(collector.yaml_example(play % ('web:db,!x', '', ''), 'x.md', 1, 'yaml')) == ['db', 'web', 'x']
    assert collector.hosts_named(collector.yaml_example(play % ('all', '', ''), 'x.md', 1, 'yaml')) == ['fleet']


def test_scenario_names_every_group_and_version():
    """Each group any example names exists, with FAILED, TERMINATED and PART_FINISHED history and each version."""
    parse_scenario(SCENARIO)
    for group in set(collector.group_ids(EVERYTHING)) - set(SAMPLE_GROUPS):   # those are as in sample_data.json
        tasks = SCENARIO['groups'][group]['tasks']
        statuses = {t.get('TaskDisplayStatus') for t in tasks}
        assert {'FAILED', 'TERMINATED', 'PART_FINISHED', 'FINISHED'} <= statuses, group
        assert set(collector.ota_versions(EVERYTHING)) <= {t['OtaVersion'] for t in tasks}, group


BROKEN = {
    'failing_task': ('- alibabacloud.appstreaming.ota_task_info: {app_instance_group_id: aig-53fvrq1oanz6c, statuses: [BOGUS]}\n',
                     'exit status'),
    'ignored_error': ('- alibabacloud.appstreaming.ota_task_info: {app_instance_group_id: aig-nowhere-0000}\n'
                      '  ignore_errors: true\n- alibabacloud.appstreaming.ota_task_info: {app_instance_group_id: aig-53fvrq1oanz6c}\n',
                      'failed or ignored errors'),
    'end_play': ('- alibabacloud.appstreaming.ota_task_info: {app_instance_group_id: aig-53fvrq1oanz6c}\n'
                 '- ansible.builtin.meta: end_play\n', 'the play ended before the end'),
    'skipped': ('- alibabacloud.appstreaming.ota_task_info: {app_instance_group_id: aig-53fvrq1oanz6c}\n  when: false\n',
                'no ListOtaTask or ListAppInstanceGroup call'),
    'group_info_not_listing_the_group': ('- alibabacloud.appstreaming.app_instance_group_info: {app_instance_group_id: aig-53fvrq1oanz6c}\n'
                                         '- ansible.builtin.debug: {msg: aig-9x2kq7h1c3m0d}\n', 'never listed: aig-9x2kq7h1c3m0d'),
    'group_not_listed': ('- alibabacloud.appstreaming.ota_task_info: {app_instance_group_id: aig-53fvrq1oanz6c}\n'
                         '- ansible.builtin.debug: {msg: aig-9x2kq7h1c3m0d}\n', 'never listed: aig-9x2kq7h1c3m0d'),
}


@pytest.mark.parametrize('case', sorted(BROKEN))
def test_harness_fails_a_broken_example(case, emulator, ansible):
    """The harness can fail: each of these examples is wrong in one way, and the run says how."""
    text, expected = BROKEN[case]
    problems = run_example(collector.yaml_example(text, 'broken.md', 1, 'yaml'), emulator, ansible)
    assert any(problem.startswith(expected) or expected in problem.split('\n')[0] for problem in problems), problems
