# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each connection option is declared once, in plugins/module_utils/options.py; every file that repeats it says what
the declaration says (`make options` writes them: tests/tools/connection_options.py). A failure names the file, the
option and what differs."""

from __future__ import annotations

import ast
import difflib
import sys
from pathlib import Path

import pytest
import yaml

from ansible.module_utils.basic import env_fallback

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import options
from ansible_collections.alibabacloud.appstreaming.plugins.plugin_utils import options as controller_options

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / 'tests' / 'tools'))

import connection_options as generator  # noqa: E402  pylint: disable=wrong-import-position

NAMES = [option['name'] for option in options.CONNECTION_OPTIONS]


def python_string(path, name):
    """The string assigned to ``name`` in the Python file ``path`` (module or class level), without importing it."""
    for node in ast.walk(ast.parse((ROOT / path).read_text())):
        if isinstance(node, ast.Assign) and any(getattr(target, 'id', None) == name for target in node.targets):
            return node.value.value
    raise AssertionError('%s has no %s' % (path, name))


def documented(where, text, keys=('options',)):
    """The options of a DOCUMENTATION-like YAML text (under ``keys``); a text that is not YAML fails, naming ``where``."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        pytest.fail('%s is not valid YAML: %s' % (where, exc), pytrace=False)
    for key in keys:
        data = data[key]
    return data


def drift(where, actual, expected, option_of=None):
    """One sentence per entry of ``expected`` that ``actual`` lacks or gives otherwise."""
    problems = []
    for key, entry in expected.items():
        label = key if option_of is None else '%s (the connection option %s)' % (key, option_of[key])
        if key not in actual:
            problems.append('%s: %s is missing' % (where, label))
            continue
        found = actual[key] or {}
        for field in sorted(set(entry) | set(found)):
            if found.get(field) != entry.get(field):
                problems.append('%s: %s: %s is %r, the declaration gives %r' % (where, label, field, found.get(field), entry.get(field)))
    return problems


def no_drift(problems):
    if problems:
        pytest.fail('Not what plugins/module_utils/options.py declares (run `make options`):\n  ' + '\n  '.join(problems), pytrace=False)


# --- The declaration ------------------------------------------------------------------------------------------------

def test_each_option_is_declared_once_with_its_documentation():
    assert len(NAMES) == len(set(NAMES))
    docs = generator.documentation(options)
    assert list(docs) == NAMES, ('the DOCUMENTATION of plugins/doc_fragments/connection.py must document exactly the options of '
                                 'CONNECTION_OPTIONS, in their order')
    for option in options.CONNECTION_OPTIONS:
        name = option['name']
        assert set(option) <= {'name', 'spec', 'env', 'env_by', 'role'}, name
        assert bool(option.get('env')) == (option.get('env_by') in ('credentials', 'fallback')), name
        assert all(isinstance(line, str) for line in docs[name]['description']), name
        # The summary (the first line) is what the roles and the event source show: it must stand alone there.
        assert 'O(' not in docs[name]['summary'] and len(docs[name]['summary']) <= 100, name


def test_the_argument_spec_and_the_environment_derive_from_the_declaration():
    spec = options.connection_argument_spec()
    assert list(spec) == NAMES
    assert spec['region_id'] == {'type': 'str', 'aliases': ['alicloud_region'],
                                 'fallback': (env_fallback, ['ALIBABA_CLOUD_REGION_ID', 'ALICLOUD_REGION'])}
    assert spec['timeout'] == {'type': 'float', 'default': 10.0}
    assert options.REGION_ENV == ('ALIBABA_CLOUD_REGION_ID', 'ALICLOUD_REGION')
    assert options.CREDENTIAL_ENV == {
        'access_key_id': ('ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALICLOUD_ACCESS_KEY'),
        'access_key_secret': ('ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALICLOUD_SECRET_KEY'),
        'security_token': ('ALIBABA_CLOUD_SECURITY_TOKEN', 'ALICLOUD_SECURITY_TOKEN'),
        'profile': ('ALIBABA_CLOUD_PROFILE',),
    }
    assert options.CREDENTIAL_OPTIONS == ('access_key_id', 'access_key_secret', 'security_token', 'profile')
    assert options.controller_variable('region_id') == 'ansible_appstreaming_region_id'
    spec['access_key_id']['aliases'].append('mine')   # each call gives a spec of its own
    assert options.connection_argument_spec()['access_key_id']['aliases'] == ['alicloud_access_key']


def test_the_roles_that_read_role_variables_are_the_roles_documented():
    roles = {path.parents[1].name for path in ROOT.glob('roles/*/meta/argument_specs.yml')}
    assert set(generator.ROLES) == set(controller_options.ROLES) == roles


# --- The files that repeat it ---------------------------------------------------------------------------------------

def test_the_fragment_documents_every_option():
    where = generator.FRAGMENT
    fragment = documented(where + ' DOCUMENTATION', python_string(where, 'DOCUMENTATION'))
    expected = {option['name']: generator.spec_fields(option['spec']) for option in options.CONNECTION_OPTIONS}
    found = {name: {field: value for field, value in entry.items() if field != 'description'} for name, entry in fragment.items()}
    problems = drift(where + ' DOCUMENTATION', found, expected)
    problems += ['%s DOCUMENTATION: %s is not a declared connection option' % (where, name) for name in fragment if name not in NAMES]
    plugins = documented(where + ' PLUGINS', python_string(where, 'PLUGINS'))
    problems += drift(where + ' PLUGINS', plugins, generator.plugin_options(options))
    problems += ['%s PLUGINS: %s is not a declared connection option' % (where, name) for name in plugins if name not in NAMES]
    no_drift(problems)


@pytest.mark.parametrize('role', sorted(generator.ROLES))
def test_each_role_takes_every_option(role):
    where = generator.role_file(role)
    variables = documented(where, (ROOT / where).read_text(), ('argument_specs', 'main', 'options'))
    option_of = {options.role_variable(role, name): name for name in NAMES}
    no_drift(drift(where, variables, generator.role_options(options, role), option_of))


def test_the_event_source_documents_every_option():
    where = generator.EVENT_SOURCE
    source = documented(where + ' DOCUMENTATION', python_string(where, 'DOCUMENTATION'))
    no_drift(drift(where + ' DOCUMENTATION', source, generator.event_source_options(options)))


def _table(lines):
    return [[cell.strip() for cell in line.strip().strip('|').split('|')] for line in lines if not line.startswith('|---')]


def test_the_precedence_table_of_getting_started():
    """Its columns are the kinds of plugins found in plugins/ and roles/; its rows the sources, in order."""
    where = generator.GETTING_STARTED
    lines = (ROOT / where).read_text().split('\n')
    start = next((at for at, line in enumerate(lines) if line.startswith(generator.TABLE_HEADER)), None)
    assert start is not None, '%s has no table starting with %r' % (where, generator.TABLE_HEADER)
    end = start
    while end < len(lines) and lines[end].startswith('|'):
        end += 1
    actual, expected = _table(lines[start:end]), _table(generator.precedence_table(options, ROOT))
    problems = []
    if actual[0] != expected[0]:
        problems.append('%s: the columns are %s, the plugins give %s' % (where, actual[0][2:], expected[0][2:]))
    elif len(actual) != len(expected):
        problems.append('%s: %d rows, the declaration gives %d' % (where, len(actual) - 1, len(expected) - 1))
    else:
        for row, want in zip(actual[1:], expected[1:]):
            for column, cell, wanted in zip(expected[0], row, want):
                if cell != wanted:
                    problems.append('%s: row %s (%s), column %r: %r, the declaration gives %r' % (
                        where, want[0], want[1][:50], column, cell, wanted))
    no_drift(problems)


def test_every_file_is_what_make_options_writes():
    """The whole generated text too: wrapping, order, and what the named checks above do not compare."""
    try:
        files = generator.generate(ROOT, options)
    except generator.MarkerError as exc:
        pytest.fail('%s: run make options after adding them' % exc, pytrace=False)
    diffs = [''.join(difflib.unified_diff(current.splitlines(True), generated.splitlines(True), path, path + ' (make options)', n=1))
             for path, (current, generated) in files.items() if current != generated]
    if diffs:
        pytest.fail('Not what `make options` writes from plugins/module_utils/options.py (run make options):\n'
                    + '\n'.join(diff if len(diff) < 3000 else diff[:3000] + '\n...' for diff in diffs), pytrace=False)


def _module_tasks(tasks):
    for task in tasks or ():
        for key in ('block', 'rescue', 'always'):
            yield from _module_tasks(task.get(key))
        for key, args in task.items():
            if key.startswith('alibabacloud.appstreaming.'):
                yield task.get('name', key), args or {}


def test_the_roles_tasks_pass_no_connection_option():
    """In the roles' tasks the actions read <role>_<option> themselves (plugin_utils/options.py): a task that passed one
    would be a second place to keep in step, and could pass an option a role variable should win over."""
    spec = options.connection_argument_spec()
    names = set(spec) | {alias for entry in spec.values() for alias in entry.get('aliases', ())}
    problems = []
    for path in sorted(ROOT.glob('roles/*/tasks/*.yml')):
        for task, args in _module_tasks(yaml.safe_load(path.read_text())):
            problems += ['%s: task %r passes the connection option %s' % (path.relative_to(ROOT), task, key) for key in args if key in names]
    if problems:
        pytest.fail('\n'.join(problems), pytrace=False)
