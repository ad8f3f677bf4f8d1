# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""state_file.py: the event source's state file is read back, checked and replaced atomically; errors name the path."""

from __future__ import annotations

import os

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import state_file
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError


def test_a_missing_file_is_a_first_run(tmp_path):
    assert state_file.read(str(tmp_path / 'state.json')) is None


def test_written_then_read_back_and_nothing_else_left_in_the_directory(tmp_path):
    path = str(tmp_path / 'state.json')
    state_file.write(path, {'source': 's', 'groups': {'aig-1': {'tasks': {'ota-a': 'RUNNING'}}}})
    state_file.write(path, {'source': 's', 'groups': {}})
    assert state_file.read(path) == {'source': 's', 'groups': {}}
    assert os.listdir(str(tmp_path)) == ['state.json']


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path):
    path = str(tmp_path / 'state.json')
    state_file.write(path, {'groups': {}})
    with pytest.raises(TypeError):
        state_file.write(path, {'groups': object()})   # not JSON: fails half way through the temporary file
    assert state_file.read(path) == {'groups': {}} and os.listdir(str(tmp_path)) == ['state.json']


@pytest.mark.parametrize('content, words', [(b'{"groups": ', 'is not a JSON document'), (b'\xff\xfe', 'is not a JSON document')])
def test_a_file_that_is_no_json_names_the_path(tmp_path, content, words):
    path = tmp_path / 'state.json'
    path.write_bytes(content)
    with pytest.raises(OptionError) as raised:
        state_file.read(str(path))
    assert str(raised.value).startswith('state_file %s %s' % (path, words))


def test_an_unreadable_path_names_it(tmp_path):
    with pytest.raises(OptionError) as raised:
        state_file.read(str(tmp_path))   # a directory
    assert str(raised.value).startswith('state_file %s cannot be read: ' % tmp_path)


def test_where_a_file_cannot_be_written_is_said_at_start(tmp_path):
    state_file.check_writable(str(tmp_path / 'state.json'))
    with pytest.raises(OptionError, match='the directory %s does not exist' % (tmp_path / 'nope')):
        state_file.check_writable(str(tmp_path / 'nope' / 'state.json'))
    with pytest.raises(OptionError, match='is a directory; give the path of a file'):
        state_file.check_writable(str(tmp_path))
