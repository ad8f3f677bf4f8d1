# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTPS with a self-signed certificate made for the test: rejected by default, accepted when told to."""

from __future__ import annotations

import pytest

from conftest import ids, make_self_signed_cert, run_target, truth

TARGETS = ['module', 'lookup', 'role']
GROUPS = {'aig-1': {'generate': {'count': 120, 'status': 'FINISHED'}}}


@pytest.fixture
def https(emulator, tmp_path):
    (tmp_path / 'ca').mkdir()
    certfile, keyfile = make_self_signed_cert(str(tmp_path / 'ca'))
    server = emulator(GROUPS, certfile=certfile, keyfile=keyfile)
    assert server.endpoint.startswith('https://')
    return server, certfile


@pytest.mark.parametrize('target', TARGETS)
def test_the_default_rejects_a_self_signed_certificate(https, ansible, target):
    server, _certfile = https
    proc, tasks, message = run_target(ansible, server, target, {})
    assert proc.returncode != 0 and tasks is None
    assert 'TLS error talking to %s/: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate' % server.endpoint in message
    assert 'set ca_bundle to the CA that signed it, or validate_certs: false' in message
    assert 'Traceback' not in proc.stdout + proc.stderr
    assert server.stats()['requests'] == 0          # nothing was sent over the untrusted connection


@pytest.mark.parametrize('target', TARGETS)
@pytest.mark.parametrize('trust', ['validate_certs: false', 'ca_bundle'])
def test_validate_certs_false_or_a_ca_bundle_accepts_it(https, ansible, target, trust):
    server, certfile = https
    options = {'validate_certs': False} if trust == 'validate_certs: false' else {'ca_bundle': certfile}
    proc, tasks, _message = run_target(ansible, server, target, options)
    assert proc.returncode == 0 and ids(tasks) == truth(server, 'aig-1')


def test_a_ca_bundle_of_another_ca_is_named(https, ansible, tmp_path):
    server, _certfile = https
    (tmp_path / 'other').mkdir()
    other, _key = make_self_signed_cert(str(tmp_path / 'other'))
    proc, tasks, message = run_target(ansible, server, 'module', {'ca_bundle': other})
    assert proc.returncode != 0 and tasks is None
    assert 'certificate verify failed' in message and 'The certificate is not signed by a CA in ca_bundle %s' % other in message


def test_https_to_a_plain_http_endpoint_says_so(emulator, ansible):
    server = emulator(GROUPS)
    proc, tasks, message = run_target(ansible, server, 'module', {'endpoint': 'https://' + server.host_port})
    assert proc.returncode != 0 and tasks is None
    assert 'TLS error talking to https://%s/' % server.host_port in message and 'check that the endpoint serves https' in message
