# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ACS3-HMAC-SHA256 ("signature V3") request signing for Alibaba Cloud RPC APIs.

The one piece of the client we write ourselves: the official SDK's signer pulls in the
whole tea/darabonba stack. Every function is pure, so the published test vectors can
check each intermediate value (canonical request, string to sign, signature).
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote

ALGORITHM = 'ACS3-HMAC-SHA256'


def percent_encode(value):
    """RFC 3986 encoding as Alibaba specifies it: only A-Z a-z 0-9 - _ . ~ stay as they are."""
    return quote(str(value), safe='~', encoding='utf-8')


def hash_payload(body):
    """Lower-case hex SHA-256 of the exact body bytes (sent as x-acs-content-sha256)."""
    return hashlib.sha256(body).hexdigest()


def canonical_query(query):
    """Sorted key=value pairs, both percent-encoded; empty when there is no query."""
    if not query:
        return ''
    pairs = sorted((str(k), '' if v is None else str(v)) for k, v in query.items())
    return '&'.join(percent_encode(k) + '=' + percent_encode(v) for k, v in pairs)


def canonical_request(method, path, query, headers, payload_hash):
    """Return (canonical request, signed header names) for the headers given.

    Every header passed in is signed: the server verifies exactly the list named in
    SignedHeaders, so signing all of the headers we set is both simplest and strictest.
    """
    lowered = {}
    for name, value in headers.items():
        lowered.setdefault(name.lower(), []).append(str(value).strip())
    signed = sorted(lowered)
    canonical_headers = ''.join(name + ':' + ','.join(sorted(lowered[name])) + '\n' for name in signed)
    signed_headers = ';'.join(signed)
    text = '\n'.join([method.upper(), path or '/', canonical_query(query), canonical_headers, signed_headers, payload_hash])
    return text, signed_headers


def string_to_sign(canonical):
    return ALGORITHM + '\n' + hashlib.sha256(canonical.encode('utf-8')).hexdigest()


def signature(access_key_secret, text):
    return hmac.new(access_key_secret.encode('utf-8'), text.encode('utf-8'), hashlib.sha256).hexdigest()


def authorization(method, path, query, headers, body, access_key_id, access_key_secret):
    """The Authorization header value for a request whose headers are already complete.

    ``headers`` must already hold x-acs-content-sha256 (see :func:`hash_payload`).
    """
    canonical, signed_headers = canonical_request(method, path, query, headers, hash_payload(body))
    sig = signature(access_key_secret, string_to_sign(canonical))
    return '%s Credential=%s,SignedHeaders=%s,Signature=%s' % (ALGORITHM, access_key_id, signed_headers, sig)
