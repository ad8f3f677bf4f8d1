# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Option checks the argument spec cannot express: endpoints, ranges, ARNs, group ids."""

from __future__ import annotations

import datetime

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


def query(**params):
    base = dict(app_instance_group_ids=['aig-1'], ota_type='Fota')
    base.update(params)
    return options.query(base)


def test_query_deduplicates_groups_keeping_order():
    assert query(app_instance_group_ids=['aig-2', 'aig-1', 'aig-2']).group_ids == ('aig-2', 'aig-1')


@pytest.mark.parametrize('params, words', [
    (dict(app_instance_group_ids=['aig-1', '']), 'empty group id'),
    (dict(app_instance_group_ids=[]), 'at least one'),
    (dict(page_size=0), 'page_size must be between 1 and 100'),
    (dict(page_size=101), 'page_size must be between 1 and 100'),
    (dict(page_number=0), 'page_number must be at least 1'),
    (dict(statuses=['DONE']), "statuses: 'DONE'"),
    (dict(ota_type='Sota'), 'ota_type'),
])
def test_bad_queries(params, words):
    with pytest.raises(OptionError, match=words):
        query(**params)


def test_argument_specs_mark_secrets_no_log():
    spec = options.connection_argument_spec()
    assert {name for name, value in spec.items() if value.get('no_log')} == {'access_key_secret', 'security_token'}


NOW = datetime.datetime(2026, 11, 30, 6, 0, 30, tzinfo=datetime.timezone.utc)


def test_approval_defaults_to_now_and_keeps_group_order():
    spec = options.approval({'app_instance_group_ids': ['aig-2', ' aig-1 ', 'aig-2'], 'ota_version': ' v2 ', 'start_time': 'now'}, NOW)
    assert spec == options.Approval(('aig-2', 'aig-1'), 'v2', NOW, False, NOW)
    assert options.approval({'app_instance_group_ids': ['aig-1'], 'ota_version': 'v2'}, NOW).explicit_start is False


@pytest.mark.parametrize('value, utc', [
    ('2026-11-30T06:00Z', '2026-11-30 06:00:00+00:00'),            # 30 s ago: allowed
    ('2026-11-30T13:56+08:00', '2026-11-30 05:56:00+00:00'),       # 4.5 minutes ago: allowed
    ('2027-01-01T00:00:00-05:00', '2027-01-01 05:00:00+00:00'),
])
def test_an_explicit_start_time(value, utc):
    spec = options.approval({'app_instance_group_ids': ['aig-1'], 'ota_version': 'v2', 'start_time': value}, NOW)
    assert spec.explicit_start and str(spec.start_time.astimezone(datetime.timezone.utc)) == utc


@pytest.mark.parametrize('params, words', [
    ({'app_instance_group_ids': []}, 'app_instance_group_ids needs at least one delivery group id'),
    ({'app_instance_group_ids': ['aig-1', '']}, 'app_instance_group_ids must not contain an empty group id'),
    ({'ota_version': ''}, 'ota_version must not be empty'),
    ({'ota_version': '  '}, 'ota_version must not be empty'),
    ({'ota_version': None}, 'ota_version must not be empty'),
    ({'start_time': '2026-11-30T06:00'}, "start_time '2026-11-30T06:00' has no time zone"),
    ({'start_time': 'tonight'}, "start_time 'tonight' is not an ISO 8601 date and time"),
    ({'state': 'absent'}, 'state must be approved'),
])
def test_bad_approvals_name_the_option(params, words):
    base = {'app_instance_group_ids': ['aig-1'], 'ota_version': 'v2', 'start_time': 'now'}
    base.update(params)
    with pytest.raises(OptionError) as err:
        options.approval(base, NOW)
    assert words in str(err.value)


def test_a_start_time_in_the_past_is_refused_only_when_an_approval_is_to_be_sent():
    """options.approval accepts it (a re-run still reports the groups); refuse_past_start is called before a write."""
    base = {'app_instance_group_ids': ['aig-1'], 'ota_version': 'v2'}
    old = options.approval(dict(base, start_time='2026-11-30T05:55Z'), NOW)
    with pytest.raises(OptionError) as err:
        options.refuse_past_start(old)
    assert str(err.value).startswith('start_time 2026-11-30T05:55Z is more than 5 minutes in the past (now is 2026-11-30T06:00 UTC)')
    with pytest.raises(OptionError, match='^ota_rollout_start_time 2026-11-30T05:55Z is more than 5 minutes'):
        options.refuse_past_start(old, 'ota_rollout_start_time')
    for value in ('now', '2026-11-30T05:56Z', '2026-12-01T00:00Z'):
        options.refuse_past_start(options.approval(dict(base, start_time=value), NOW))


def test_role_variables_of_the_connection_options():
    assert options.role_variable('ota_rollout', 'region_id') == 'ota_rollout_region_id'
    assert options.role_variable('ota_wait', 'timeout') == 'ota_wait_request_timeout'


def test_group_filter():
    assert options.group_filter({'app_instance_group_ids': ['aig-1', 'aig-1'], 'name': 'off', 'statuses': ['PUBLISHED'],
                                 'release_notes': True}) == options.GroupFilter(('aig-1',), 'off', ('PUBLISHED',), True)
    assert options.group_filter({}) == options.GroupFilter((), None, (), False)
    for params, words in (({'name': ' '}, 'name must not be empty'), ({'statuses': ['']}, 'statuses must not contain an empty')):
        with pytest.raises(OptionError, match=words):
            options.group_filter(params)
