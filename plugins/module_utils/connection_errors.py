# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a failed connection means, worded for the playbook author: a TLS handshake that failed, a host name that does not exist.

transport.py imports this only when a connection fails: every module run compiles transport.py, none needs this.
"""

from __future__ import annotations

import socket

# The resolver's answers for a host that does not exist (EAI_AGAIN, a temporary failure, is not one of them).
NO_SUCH_HOST = frozenset(code for code in (getattr(socket, 'EAI_NONAME', None), getattr(socket, 'EAI_NODATA', None)) if code is not None)


def unknown_host(exc, proxy):
    """What to check when the resolver said the host (the proxy's with ``proxy``) does not exist; None for any other failure."""
    if not _no_such_host(exc):
        return None
    if proxy:
        return "The proxy's host name could not be resolved: check HTTPS_PROXY, HTTP_PROXY and NO_PROXY"
    return 'The host name could not be resolved: check region_id (the endpoint is appstream-center.<region_id>.aliyuncs.com) or endpoint'


def tls_error(action, url, reason, verify):
    """What a failed TLS handshake means: an untrusted or misnamed certificate, or no TLS at all."""
    if 'certificate verify failed' not in reason.lower():
        advice = 'The TLS handshake failed: check that the endpoint serves https'
    elif 'mismatch' in reason.lower():
        advice = 'The certificate was not issued for this host: use the host name it names in endpoint'
    elif isinstance(verify, str):
        advice = 'The certificate is not signed by a CA in ca_bundle %s' % verify
    else:
        advice = 'The certificate is not trusted: set ca_bundle to the CA that signed it, or validate_certs: false for a test endpoint'
    return '%s: TLS error talking to %s: %s. %s' % (action, url, reason, advice)


def _no_such_host(exc):
    """True when the name resolver said the host does not exist (not a temporary failure such as EAI_AGAIN).

    requests wraps the resolver's socket.gaierror in urllib3 errors: follow reason, cause and context."""
    todo, seen = [exc], set()
    while todo:
        error = todo.pop()
        if not isinstance(error, BaseException) or id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, socket.gaierror):
            if error.errno in NO_SUCH_HOST:
                return True
            continue
        todo.extend((getattr(error, 'reason', None), getattr(error, '_reason', None), error.__cause__, error.__context__))
        todo.extend(error.args)
    return False
