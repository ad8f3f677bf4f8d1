# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collect every documented example of the collection, and check it for patterns that are wrong.

Sources: README.md, docs/*.md, roles/*/README.md and the emulator's README (Markdown code fences), the EXAMPLES string of
plugins/modules/*.py and plugins/lookup/*.py (with the ad hoc command lines in its comments), and
an ``examples`` entry of roles/*/meta/argument_specs.yml should one ever be added. Nothing is
listed by hand: an example added later is collected too. test_examples.py runs them.

Kinds of example:

* ``tasks``: a YAML list of tasks, run inside a ``hosts: localhost`` play;
* ``plays``: a YAML list of plays (any item has ``hosts`` or ``import_playbook``), run as written;
* ``vars``: a YAML mapping of ``ansible_appstreaming_*`` variables (group_vars), run under a lookup;
* ``command``: an ``ansible`` / ``ansible-playbook`` command line from a shell fence or an EXAMPLES comment;
* ``emulator_data``: a JSON emulator scenario (it must load);
* ``skip``: anything else (a data sample, an install command); kept with the reason, so it shows up.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
from pathlib import Path
from typing import NamedTuple

import yaml

COLLECTION = 'alibabacloud.appstreaming'
GROUP = 'group/%s.appstreaming' % COLLECTION
INFO_MODULE = COLLECTION + '.ota_task_info'
WAIT_MODULE = COLLECTION + '.ota_task_wait'

GROUP_ID_RE = re.compile(r'\baig-[a-z0-9][a-z0-9-]*[a-z0-9]\b')
OTA_VERSION_RE = re.compile(r'\b\d+\.\d+\.\d+-R-\d{8}\.\d{6}\b')
PROFILE_RE = re.compile(r'''(?:\b|_)profile['"]?\s*[:=]\s*['"]?([A-Za-z0-9_.-]+)''')
LOOPBACK_URL_RE = re.compile(r'\bhttps?://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?')

_FENCE_RE = re.compile(r'^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[^\s`]*)[^`]*$')
_YAML_LANGS = ('yaml', 'yml', 'yaml+jinja', 'ansible', '')
_SHELL_LANGS = ('bash', 'sh', 'shell', 'console', 'shell-session')
_CONDITION_KEYS = ('when', 'failed_when', 'changed_when', 'until')
_TASK_LISTS = ('pre_tasks', 'tasks', 'post_tasks', 'handlers')
_BLOCK_LISTS = ('block', 'rescue', 'always')
_LOCALHOST = ('localhost', '127.0.0.1', '::1')


class Example(NamedTuple):
    """One documented example: where it is (``ident``: path and line), what kind, its text."""

    ident: str
    path: str
    line: int
    kind: str
    text: str
    reason: str = ''   # why a 'skip' is not run

    def data(self):
        return yaml.safe_load(self.text) if self.kind in ('tasks', 'plays', 'vars', 'rulebook', 'eda_playbook') else None


# -- collecting ---------------------------------------------------------------------------------

def collect(root):
    """Every example under ROOT (the collection's root), in a stable order."""
    root = Path(root)
    examples = []
    markdown = ([root / 'README.md'] + sorted((root / 'docs').glob('*.md')) + sorted(root.glob('roles/*/README.md'))
                + [root / 'tests' / 'emulator' / 'README.md'])
    for path in markdown:
        if path.is_file():
            examples.extend(markdown_examples(path.read_text(encoding='utf-8'), path.relative_to(root).as_posix()))
    for path in sorted(root.glob('plugins/modules/*.py')) + sorted(root.glob('plugins/lookup/*.py')):
        examples.extend(python_examples(path.read_text(encoding='utf-8'), path.relative_to(root).as_posix()))
    for path in sorted(root.glob('roles/*/meta/argument_specs.yml')):
        examples.extend(argument_spec_examples(path.read_text(encoding='utf-8'), path.relative_to(root).as_posix()))
    return examples


def fences(text):
    """(line number of the opening fence, language, content) of each fenced code block of Markdown TEXT."""
    lines = text.splitlines()
    found = []
    i = 0
    while i < len(lines):
        match = _FENCE_RE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence, lang = match.group('indent'), match.group('fence'), match.group('lang').lower()
        body = []
        j = i + 1
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                break
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        found.append((i + 1, lang, '\n'.join(body) + '\n'))
        i = j + 1
    return found


def markdown_examples(text, path):
    examples = []
    for line, lang, body in fences(text):
        ident = '%s:%d' % (path, line)
        if lang in _SHELL_LANGS:
            examples.extend(command_examples(body, path, line))
            if not command_lines(body):
                examples.append(Example(ident, path, line, 'skip', body, 'a %s block without an ansible command' % lang))
        elif lang == 'json':
            examples.append(json_example(body, path, line))
        elif lang in _YAML_LANGS:
            examples.append(yaml_example(body, path, line, lang))
        else:
            examples.append(Example(ident, path, line, 'skip', body, 'a %s block' % lang))
    return examples


def python_examples(text, path):
    """The EXAMPLES string of a plugin, as one example, and the command lines in its comments."""
    for node in ast.parse(text).body:
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == 'EXAMPLES' for t in node.targets)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            body = node.value.value
            examples = [yaml_example(body, path, node.lineno, 'yaml', ident='%s:EXAMPLES' % path)]
            comments = '\n'.join(re.sub(r'^\s*#\s?', '', line) if line.lstrip().startswith('#') else ''
                                 for line in body.splitlines())
            return examples + command_examples(comments, path, node.lineno)
    return []


def argument_spec_examples(text, path):
    """Role argument specs have no examples today; should an entry point get one, it is run like EXAMPLES."""
    specs = (yaml.safe_load(text) or {}).get('argument_specs') or {}
    return [yaml_example(spec['examples'], path, 1, 'yaml', ident='%s:%s.examples' % (path, entry))
            for entry, spec in sorted(specs.items()) if isinstance(spec, dict) and spec.get('examples')]


def yaml_example(body, path, line, lang, ident=None):
    ident = ident or '%s:%d' % (path, line)
    try:
        data = yaml.safe_load(body)
    except yaml.YAMLError as exc:
        if lang:
            # A fence that says it is YAML must be YAML.
            return Example(ident, path, line, 'tasks', body)
        return Example(ident, path, line, 'skip', body, 'an unlabelled block that is not YAML (%s)' % exc.__class__.__name__)
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        if any('sources' in item and 'rules' in item for item in data):
            return Example(ident, path, line, 'rulebook', body)
        if any('hosts' in item or 'import_playbook' in item for item in data):
            # a playbook a rulebook runs gets the event as ansible_eda.event
            return Example(ident, path, line, 'eda_playbook' if 'ansible_eda' in body else 'plays', body)
        if any(_task_like(item) for item in data):
            return Example(ident, path, line, 'tasks', body)
    if isinstance(data, dict) and data and all(str(key).startswith('ansible_appstreaming_') for key in data):
        return Example(ident, path, line, 'vars', body)
    shape = type(data).__name__ if data is not None else 'empty'
    return Example(ident, path, line, 'skip', body, 'YAML data (%s), not tasks or plays' % shape)


def _task_like(item):
    """A mapping that is a task: it has a name, is a block, or calls a module by its FQCN (data such as a
    documented task history has none of these)."""
    return any(key in ('name', 'block') or '.' in str(key) for key in item)


def json_example(body, path, line):
    """A JSON object with top-level "groups" is an emulator scenario; other JSON (a result sample) is data."""
    ident = '%s:%d' % (path, line)
    try:
        data = json.loads(body)
    except ValueError:
        data = None if re.search(r'"groups"\s*:', body) is None else {'groups': None}   # broken JSON that looks like one: it must load
    if isinstance(data, dict) and 'groups' in data:
        return Example(ident, path, line, 'emulator_data', body)
    return Example(ident, path, line, 'skip', body, 'JSON that is not an emulator scenario')


def command_lines(text):
    """The ansible / ansible-playbook command lines of shell TEXT (continuations joined, prompts removed)."""
    joined = re.sub(r'[ \t]*\\\n\s*', ' ', text)
    commands = []
    for line in joined.splitlines():
        line = re.sub(r'^\s*\$\s+', '', line).strip()
        if re.match(r'^(ansible|ansible-playbook)\s', line):
            commands.append(line)
    return commands


def command_examples(text, path, line):
    examples = []
    for command in command_lines(text):
        first = command.split()[0]
        # the line of the command inside the block, for the id
        offset = next((n for n, raw in enumerate(text.splitlines()) if raw.lstrip('$ #').startswith(first + ' ')), 0)
        ident = '%s:%d' % (path, line + offset + (1 if path.endswith('.md') else 0))
        examples.append(Example(ident, path, line + offset, 'command', command))
    return examples


# -- what an example names ----------------------------------------------------------------------

def group_ids(text):
    return sorted(set(GROUP_ID_RE.findall(text)))


def ota_versions(text):
    return sorted(set(OTA_VERSION_RE.findall(text)))


def profiles(text):
    return sorted(set(PROFILE_RE.findall(text)))


# -- static checks ------------------------------------------------------------------------------

def as_plays(example):
    """The example as a list of plays (a task list runs in a localhost play)."""
    data = example.data()
    if example.kind == 'tasks':
        return [{'hosts': 'localhost', 'tasks': data}]
    if example.kind == 'plays':
        return [play for play in data if 'import_playbook' not in play]
    return []


def is_localhost(hosts):
    if isinstance(hosts, str):
        names = [name.strip() for name in re.split(r'[,:]', hosts) if name.strip()]
    elif isinstance(hosts, list):
        names = [str(name).strip() for name in hosts]
    else:
        return False
    return bool(names) and all(name in _LOCALHOST for name in names)


def _truthy(value):
    return value is True or (isinstance(value, str) and value.strip().lower() in ('true', 'yes', 'on', '1'))


def _module_of(task):
    for key in task:
        if key in (INFO_MODULE, WAIT_MODULE, 'ota_task_info', 'ota_task_wait'):
            return key if key.startswith(COLLECTION) else '%s.%s' % (COLLECTION, key)
    return None


def _walk(tasks, inherited):
    """(task, inherited attributes) for every task, blocks flattened."""
    for task in tasks or []:
        if not isinstance(task, dict):
            continue
        attrs = dict(inherited)
        for key in ('delegate_to', 'run_once'):
            if key in task:
                attrs[key] = task[key]
        yield task, attrs
        for key in _BLOCK_LISTS:
            if key in task:
                yield from _walk(task[key], attrs)


def _conditions(item):
    for key in _CONDITION_KEYS:
        value = item.get(key)
        for cond in (value if isinstance(value, list) else [value]):
            if isinstance(cond, str):
                yield key, cond
    for key in ('assert', 'ansible.builtin.assert'):
        args = item.get(key)
        if isinstance(args, dict):
            that = args.get('that')
            for cond in (that if isinstance(that, list) else [that]):
                if isinstance(cond, str):
                    yield 'assert that', cond


def _name(item):
    return repr(item.get('name') or next(iter(item), '?'))


def problems(example):
    """What issue 11 calls wrong in an example, as sentences (empty when it is fine)."""
    found = []
    for play in as_plays(example):
        items = [(task, attrs) for section in _TASK_LISTS for task, attrs in _walk(play.get(section), {})]
        items += [(role, {}) for role in play.get('roles') or [] if isinstance(role, dict)]
        for item, attrs in items:
            for key, cond in _conditions(item):
                if 'all_terminal' in cond:
                    found.append('%s gates on all_terminal (%s: %s): all_terminal is also true when no task is '
                                 'listed and when every task FAILED; gate with the ota_wait role (or ota_task_wait)'
                                 % (_name(item), key, cond))
            module = _module_of(item)
            if module is None or is_localhost(play.get('hosts')):
                continue
            local = str(attrs.get('delegate_to', '')).strip() in _LOCALHOST
            once = _truthy(attrs.get('run_once'))
            if module == INFO_MODULE and not (local and once):
                found.append('%s runs %s in a play on hosts %r without delegate_to: localhost and run_once: true: it '
                             'would run on every host of the play' % (_name(item), module, play.get('hosts')))
            elif module == WAIT_MODULE and not once:
                found.append('%s runs %s in a play on hosts %r without run_once: true: it would wait once per host'
                             % (_name(item), module, play.get('hosts')))
    return found


def hosts_named(example):
    """Host or group names the example's plays target (besides all/localhost), for its inventory."""
    names = set()
    for play in as_plays(example):
        hosts = play.get('hosts')
        values = hosts if isinstance(hosts, list) else re.split(r'[,:]', str(hosts or ''))
        for value in values:
            name = str(value).strip().lstrip('!&')
            if name in ('all', 'ungrouped'):
                names.add('fleet')   # a multi-host play: two more hosts besides localhost
            elif name and name not in _LOCALHOST and '{' not in name and '*' not in name:
                names.add(name)
    return sorted(names)


# -- substitution ---------------------------------------------------------------------------------

def inject_module_defaults(play, defaults):
    """Add DEFAULTS (endpoint, ...) under the collection's action group and each of its modules, without
    overriding anything the play sets itself. The per-module keys survive a block or task that sets
    the group key again (Ansible replaces a module_defaults entry whole)."""
    current = play.get('module_defaults')
    if current is None:
        current = play['module_defaults'] = {}
    if isinstance(current, list):
        current.insert(0, {})
        current = current[0]
    for key in (GROUP, INFO_MODULE, WAIT_MODULE):
        entry = current.get(key)
        if entry is None:
            entry = current[key] = {}
        if isinstance(entry, dict):
            for option, value in defaults.items():
                entry.setdefault(option, value)
    return play


def substitute_command(command, endpoint, root=None):
    """The command line with the emulator as endpoint: a loopback URL in it is replaced; an ad hoc run of
    one of the collection's modules without an endpoint gets ``endpoint=``. A relative path of a file of
    the collection (ROOT) becomes absolute. Returns argv."""
    argv = shlex.split(LOOPBACK_URL_RE.sub(endpoint, command))
    if root is not None:
        argv = [str(Path(root) / arg) if not arg.startswith(('-', '/')) and (Path(root) / arg).is_file() else arg
                for arg in argv]
    if argv[0] == 'ansible' and '-m' in argv:
        module = argv[argv.index('-m') + 1]
        if module.startswith(COLLECTION + '.') and '-a' in argv:
            index = argv.index('-a') + 1
            if not re.search(r'(^|\s)endpoint=', argv[index]):
                argv[index] += ' endpoint=%s' % endpoint
    return argv
