# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an error tells the playbook author: hints per code, for STS errors and assumed roles, and TLS advice."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import errors
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.connection_errors import tls_error


def test_the_clock_hint():
    assert 'clock' in errors.hint('InvalidTimeStamp.Expired')
    assert errors.hint('NoSuchCode') is None


def test_an_expired_assumed_role_key_points_at_the_clock_not_at_role_arn():
    assert 'use role_arn' in errors.hint('InvalidSecurityToken.Expired')
    assumed = errors.hint('InvalidSecurityToken.Expired', assumed_role=True)
    assert 'role_arn' in assumed and 'clock' in assumed and 'use role_arn' not in assumed
    assert errors.hint('SignatureDoesNotMatch', assumed_role=True) == errors.hint('SignatureDoesNotMatch')


def test_hint_for_an_error_body_quoted_in_a_library_message():
    text = ('error refreshing credentials from ram_role_arn, http_code: 400, result: {"RequestId":"X",'
            '"Code": "InvalidTimeStamp.Expired","Message":"Specified time stamp or date value is expired."}')
    assert errors.hint_in_text(text) == errors.hint('InvalidTimeStamp.Expired')
    assert errors.hint_in_text('connection refused') is None
    assert errors.hint_in_text(None) is None


@pytest.mark.parametrize('reason, verify, words', [
    ('certificate verify failed: self-signed certificate', True, 'set ca_bundle to the CA that signed it, or validate_certs: false'),
    ('certificate verify failed: unable to get local issuer certificate', '/etc/ca.pem', 'not signed by a CA in ca_bundle /etc/ca.pem'),
    ("certificate verify failed: IP address mismatch, certificate is not valid for '::1'", True, 'not issued for this host'),
    ('[SSL: WRONG_VERSION_NUMBER] wrong version number', True, 'check that the endpoint serves https'),
])
def test_tls_advice(reason, verify, words):
    text = tls_error('ListOtaTask', 'https://127.0.0.1:1/', reason, verify)
    assert text.startswith('ListOtaTask: TLS error talking to https://127.0.0.1:1/: ' + reason) and words in text
