# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Option checks the argument spec cannot express: endpoints, ranges, ARNs, group ids."""

from __future__ import annotations

import certifi
import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import options
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError


def settings(**params):
    base = dict(region_id='cn-shanghai', validate_certs=True, timeout=10.0, retries=6, max_concurrency=16)
    base.update(params)
    return options.connection_settings(base)


def test_default_endpoint_follows_the_region():
    endpoint = settings(region_id='ap-southeast-1').endpoint
    assert endpoint.url == 'https://appstream-center.ap-southeast-1.aliyuncs.com/'
    assert endpoint.host == 'appstream-center.ap-southeast-1.aliyuncs.com'


@pytest.mark.parametrize('value, url, host', [
    ('appstream-center.vpc-proxy.aliyuncs.com', 'https://appstream-center.vpc-proxy.aliyuncs.com/', 'appstream-center.vpc-proxy.aliyuncs.com'),
    ('example.com:8443', 'https://example.com:8443/', 'example.com:8443'),
    ('https://example.com/', 'https://example.com/', 'example.com'),
    ('http://127.0.0.1:8080', 'http://127.0.0.1:8080/', '127.0.0.1:8080'),
    ('http://127.9.9.9:1', 'http://127.9.9.9:1/', '127.9.9.9:1'),
    ('http://[::1]:8080', 'http://[::1]:8080/', '[::1]:8080'),
    ('http://localhost:8080', 'http://localhost:8080/', 'localhost:8080'),
])
def test_endpoint_forms(value, url, host):
    endpoint = settings(endpoint=value).endpoint
    assert (endpoint.url, endpoint.host) == (url, host)


@pytest.mark.parametrize('value, words', [
    ('http://10.0.0.1:8080', 'plain http:// is only allowed to a loopback host'),
    ('http://appstream-center.cn-shanghai.aliyuncs.com', 'plain http://'),
    ('ftp://example.com', 'scheme must be https://'),
    ('https://example.com/path', 'must not have a path'),
    ('https://example.com:99999', 'not a valid URL'),
    ('   ', 'must not be empty'),
    ('https://user:pw@example.com', 'not a valid host'),
])
def test_bad_endpoints_name_the_option(value, words):
    with pytest.raises(OptionError) as err:
        settings(endpoint=value)
    assert 'endpoint' in str(err.value) and words in str(err.value)


@pytest.mark.parametrize('params, words', [
    (dict(timeout=0), 'timeout must be greater than 0'),
    (dict(timeout=-1), 'timeout must be greater than 0'),
    (dict(retries=-1), 'retries must be between 0 and 50'),
    (dict(max_concurrency=0), 'max_concurrency must be between 1 and 64'),
    (dict(region_id='Shanghai'), 'region_id'),
    (dict(role_arn='arn:aws:iam::1:role/x'), 'role_arn'),
    (dict(role_arn='acs:ram::123:role/r', role_session_name='x'), 'role_session_name'),
])
def test_bad_connection_options(params, words):
    with pytest.raises(OptionError, match=words):
        settings(**params)


def test_sts_endpoint_refuses_plain_http_to_a_remote_host():
    with pytest.raises(OptionError, match='sts_endpoint .* plain http://'):
        options.sts_endpoint('http://sts.aliyuncs.com')


def test_sts_endpoint_forms():
    assert options.sts_endpoint(None) is None
    assert options.sts_endpoint('http://127.0.0.1:9000') == 'http://127.0.0.1:9000'
    assert options.sts_endpoint('sts.cn-shanghai.aliyuncs.com') == 'sts.cn-shanghai.aliyuncs.com'
    assert options.sts_endpoint('https://sts.aliyuncs.com') == 'sts.aliyuncs.com'


def test_ca_bundle_replaces_the_system_store_only_when_verifying():
    bundle = certifi.where()
    assert settings(ca_bundle=bundle).verify == bundle
    assert settings(ca_bundle='/no/such/ca.pem', validate_certs=False).verify is False
    assert settings().verify is True


def test_ca_bundle_must_be_a_file_of_pem_certificates(tmp_path):
    not_pem = tmp_path / 'ca.pem'
    not_pem.write_text('not a certificate\n')
    for path, words in ((str(tmp_path / 'missing.pem'), 'is not a file'), (str(tmp_path), 'is not a file'),
                        (str(not_pem), 'is not a readable file of PEM CA certificates')):
        with pytest.raises(OptionError, match='ca_bundle .*' + words):
            settings(ca_bundle=path)


def test_argument_specs_mark_secrets_no_log():
    spec = options.connection_argument_spec()
    assert {name for name, value in spec.items() if value.get('no_log')} == {'access_key_secret', 'security_token'}


def test_role_variables_of_the_connection_options():
    assert options.role_variable('ota_rollout', 'region_id') == 'ota_rollout_region_id'
    assert options.role_variable('ota_wait', 'timeout') == 'ota_wait_request_timeout'
