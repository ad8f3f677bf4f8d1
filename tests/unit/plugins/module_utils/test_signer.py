# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The V3 signer reproduces Alibaba's published vectors and the official SDK's signatures.

The vectors (fixtures/v3_signature_vectors.json) were copied from the project's research
folder; each names its source: Alibaba's V3 signature documentation or the official SDK.
"""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import signer

with open(os.path.join(os.path.dirname(__file__), 'fixtures', 'v3_signature_vectors.json'), encoding='utf-8') as _handle:
    VECTORS = json.load(_handle)['vectors']


def _signed_headers(vector):
    return {name: value for name, value in vector['headers'].items() if name.lower() in vector['signed_headers']}


def test_there_are_published_and_sdk_vectors():
    kinds = {v['source_kind'].split('-')[0] for v in VECTORS}
    assert {'published', 'sdk'} <= kinds
    assert len(VECTORS) == 5


@pytest.mark.parametrize('vector', VECTORS, ids=[v['id'] for v in VECTORS])
def test_vector(vector):
    body = (vector.get('body') or '').encode('utf-8')
    expected = vector['expected']
    canonical, signed = signer.canonical_request(vector['method'], vector['path'], vector['query'], _signed_headers(vector),
                                                 signer.hash_payload(body))
    assert signed == ';'.join(vector['signed_headers'])
    text = signer.string_to_sign(canonical)
    # Every intermediate value the vector records must match, byte for byte.
    for key, value in (('hashed_payload', signer.hash_payload(body)), ('canonical_request', canonical), ('string_to_sign', text)):
        if key in expected:
            assert value == expected[key]
    assert signer.signature(vector['access_key_secret'], text) == expected['signature']
    assert signer.authorization(vector['method'], vector['path'], vector['query'], _signed_headers(vector), body,
                                vector['access_key_id'], vector['access_key_secret']) == expected['authorization']


def test_percent_encoding_is_rfc3986():
    assert signer.percent_encode('a b*c~d/é+&=') == 'a%20b%2Ac~d%2F%C3%A9%2B%26%3D'
    assert signer.canonical_query({'b': '', 'a': 'x y'}) == 'a=x%20y&b='
    assert signer.canonical_query({}) == ''


def test_header_names_are_lowercased_sorted_and_values_trimmed():
    canonical, signed = signer.canonical_request('post', '/', {}, {'X-Acs-B': ' 2 ', 'Host': 'h'}, 'e3b0')
    assert signed == 'host;x-acs-b'
    assert canonical == 'POST\n/\n\nhost:h\nx-acs-b:2\n\nhost;x-acs-b\ne3b0'


def test_a_different_secret_gives_a_different_signature():
    vector = VECTORS[0]
    text = vector['expected']['string_to_sign']
    assert signer.signature(vector['access_key_secret'] + 'x', text) != vector['expected']['signature']
