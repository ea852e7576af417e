using Microsoft.Extensions.Configuration;

namespace Octavia.Core.Configuration;

/// <summary>
/// The <c>[keystone_authtoken]</c> section, read when <c>[api_settings] auth_strategy = keystone</c>. Key
/// names are keystonemiddleware's (the token checks) and keystoneauth's password plugin's (the API's own
/// service user).
/// </summary>
public sealed class KeystoneAuthTokenOptions
{
    public const string SectionName = "keystone_authtoken";

    /// <summary>Public Identity endpoint named in the <c>WWW-Authenticate</c> header of a 401; defaults to <see cref="AuthUrl"/>.</summary>
    [ConfigurationKeyName("www_authenticate_uri")] public string? WwwAuthenticateUri { get; set; }

    /// <summary>Identity endpoint the API authenticates against and validates tokens with (e.g. <c>http://keystone:5000/v3</c>).</summary>
    [ConfigurationKeyName("auth_url")] public string AuthUrl { get; set; } = "";

    /// <summary>Only <c>password</c> (keystoneauth's v3 password plugin) is supported.</summary>
    [ConfigurationKeyName("auth_type")] public string AuthType { get; set; } = "password";

    [ConfigurationKeyName("username")] public string Username { get; set; } = "";
    [ConfigurationKeyName("user_id")] public string? UserId { get; set; }
    [ConfigurationKeyName("password")] public string Password { get; set; } = "";
    [ConfigurationKeyName("user_domain_name")] public string? UserDomainName { get; set; }
    [ConfigurationKeyName("user_domain_id")] public string? UserDomainId { get; set; }
    [ConfigurationKeyName("project_name")] public string? ProjectName { get; set; }
    [ConfigurationKeyName("project_id")] public string? ProjectId { get; set; }
    [ConfigurationKeyName("project_domain_name")] public string? ProjectDomainName { get; set; }
    [ConfigurationKeyName("project_domain_id")] public string? ProjectDomainId { get; set; }

    /// <summary>Seconds a validated token is trusted without asking Keystone again (never past its expiry); 0 turns the cache off.</summary>
    [ConfigurationKeyName("token_cache_time")] public int TokenCacheTime { get; set; } = 300;

    /// <summary>
    /// Seconds one token check (the service token included) may take before the request gets 503.
    /// Upstream leaves it unset (no limit); here it is 5 so a hung Keystone cannot hang the API.
    /// </summary>
    [ConfigurationKeyName("http_connect_timeout")] public double HttpConnectTimeout { get; set; } = 5;

    /// <summary>Further attempts after a refused or reset connection, within <see cref="HttpConnectTimeout"/>.</summary>
    [ConfigurationKeyName("http_request_max_retries")] public int HttpRequestMaxRetries { get; set; } = 3;

    /// <summary>Validated tokens kept at most (each a few hundred bytes); more are checked with Keystone every time.</summary>
    [ConfigurationKeyName("token_cache_entries")] public int TokenCacheEntries { get; set; } = 10000;
}
