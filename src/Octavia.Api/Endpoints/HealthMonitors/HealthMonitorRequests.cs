using System.Globalization;
using System.Text.RegularExpressions;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Core.Configuration;
using Octavia.Core.Model;
using Octavia.Core.Statuses;

namespace Octavia.Api.Endpoints.HealthMonitors;

/// <summary>
/// Parsing and validation of health monitor request bodies (reference/api.md §10), free of database work
/// so that the monitor POST and the load balancer graph create share it.
/// </summary>
public static partial class HealthMonitorRequests
{
    /// <summary>Attributes of a monitor POST; a graph pool's <c>healthmonitor</c> has the same minus <c>pool_id</c>.</summary>
    public static readonly HashSet<string> PostAttributes =
    [
        "name", "type", "delay", "timeout", "max_retries_down", "max_retries", "http_method", "url_path", "expected_codes",
        "admin_state_up", "project_id", "tenant_id", "pool_id", "tags", "http_version", "domain_name",
    ];

    public static readonly HashSet<string> PutAttributes =
    [
        "name", "delay", "timeout", "max_retries_down", "max_retries", "http_method", "url_path", "expected_codes", "admin_state_up",
        "tags", "http_version", "domain_name",
    ];

    public const int MinRetries = 1;
    public const int MaxRetries = 10;
    public const int DefaultMaxRetriesDown = 3;
    public const string DefaultHttpMethod = "GET";
    public const string DefaultUrlPath = "/";
    public const string DefaultExpectedCodes = "200";

    private const string ExpectedCodesPattern = @"^(\d{3}(\s*,\s*\d{3})*)$|^(\d{3}-\d{3})$";
    private const string DomainNamePattern = @"^(?=.{1,253}\.?$)(?:(?!-|[^.]+_)[A-Za-z0-9-_]{1,63}(?<!-)(?:\.|$))+$";

    [GeneratedRegex(ExpectedCodesPattern, RegexOptions.CultureInvariant, 1000)]
    private static partial Regex ExpectedCodesRegex();

    [GeneratedRegex(DomainNamePattern, RegexOptions.CultureInvariant, 1000)]
    private static partial Regex DomainNameRegex();

    /// <summary>Everything a monitor body may carry, type-checked (WSME's layer).</summary>
    private sealed record Fields(
        Opt<string?> Name, Opt<int?> Delay, Opt<int?> Timeout, Opt<int?> MaxRetriesDown, Opt<int?> MaxRetries,
        Opt<string?> HttpMethod, Opt<string?> UrlPath, Opt<string?> ExpectedCodes, Opt<bool?> AdminStateUp, Opt<List<string>?> Tags,
        Opt<double?> HttpVersion, Opt<string?> DomainName);

    private static Fields Read(JsonBody body) => new(
        body.String("name"),
        body.Int("delay", 0),
        body.Int("timeout", 0),
        body.Int("max_retries_down", MinRetries, MaxRetries),
        body.Int("max_retries", MinRetries, MaxRetries),
        body.Enum("http_method", Constants.HttpMethods),
        UrlPath(body),
        ExpectedCodes(body),
        body.Bool("admin_state_up"),
        body.Tags(),
        HttpVersion(body),
        DomainName(body));

    /// <summary>
    /// A validated new monitor with upstream's defaults (HTTP fields only for HTTP/HTTPS). <see cref="HealthMonitor.ProjectId"/>
    /// is left empty; <see cref="HealthMonitor.PoolId"/> is the body's <c>pool_id</c> when <paramref name="requirePoolId"/>, else empty.
    /// The pool-dependent rules are in <see cref="CheckPool"/>.
    /// </summary>
    public static HealthMonitor ParsePost(JsonBody body, bool requirePoolId, DateTime now)
    {
        var type = body.Enum("type", Constants.HealthMonitorTypes);
        var f = Read(body);
        body.String("project_id", 36);
        body.String("tenant_id", 36);
        var poolId = body.Uuid("pool_id");

        var hmType = JsonBody.Required("type", type);
        var delay = JsonBody.RequiredValue("delay", f.Delay);
        var timeout = JsonBody.RequiredValue("timeout", f.Timeout);
        var maxRetries = JsonBody.RequiredValue("max_retries", f.MaxRetries);
        var pool = requirePoolId ? JsonBody.Required("pool_id", poolId) : "";

        var monitor = new HealthMonitor
        {
            Id = WriteScope.NewId(),
            ProjectId = "",
            PoolId = pool,
            Name = f.Name.Value ?? "",
            Type = hmType,
            Delay = delay,
            Timeout = timeout,
            MaxRetries = maxRetries,
            MaxRetriesDown = f.MaxRetriesDown.Value ?? DefaultMaxRetriesDown,
            Enabled = !f.AdminStateUp.Present || (f.AdminStateUp.Value ?? false),
            HttpVersion = f.HttpVersion.Value,
            DomainName = f.DomainName.Value,
            ProvisioningStatus = ProvisioningStatus.PendingCreate,
            OperatingStatus = OperatingStatus.Offline,
            Tags = f.Tags.Value ?? [],
            CreatedAt = now,
        };

        if (IsHttp(hmType))
        {
            monitor.HttpMethod = string.IsNullOrEmpty(f.HttpMethod.Value) ? DefaultHttpMethod : f.HttpMethod.Value;
            monitor.UrlPath = string.IsNullOrEmpty(f.UrlPath.Value) ? DefaultUrlPath : f.UrlPath.Value;
            monitor.ExpectedCodes = string.IsNullOrEmpty(f.ExpectedCodes.Value) ? DefaultExpectedCodes : f.ExpectedCodes.Value;
        }
        else
        {
            RejectHttpField("http_method", !string.IsNullOrEmpty(f.HttpMethod.Value), hmType);
            RejectHttpField("url_path", !string.IsNullOrEmpty(f.UrlPath.Value), hmType);
            RejectHttpField("expected_codes", !string.IsNullOrEmpty(f.ExpectedCodes.Value), hmType);
        }

        CheckDomainName(monitor.DomainName is not null, monitor.HttpVersion);
        return monitor;
    }

    /// <summary>
    /// The rules that depend on the pool and the deployment: PING allowed, type compatible with the pool's
    /// protocol, UDP-CONNECT minimum delay (upstream's controller checks).
    /// </summary>
    public static void CheckPool(HealthMonitor monitor, string poolProtocol, ApiSettingsOptions settings)
    {
        if (!settings.AllowPingHealthMonitors && monitor.Type == "PING")
        {
            throw ApiException.BadRequest("The selected type is not allowed in this deployment: PING");
        }

        CheckPoolProtocol(monitor.Type, monitor.Delay, poolProtocol, settings);
    }

    private static void CheckPoolProtocol(string type, int? delay, string poolProtocol, ApiSettingsOptions settings)
    {
        if (poolProtocol is "UDP" or "SCTP")
        {
            if (type is not ("UDP-CONNECT" or "SCTP" or "TCP" or "HTTP"))
            {
                throw ApiException.ValidationFailure(
                    $"The associated pool protocol is {poolProtocol}, so only a UDP-CONNECT/SCTP/TCP/HTTP health monitor is supported.");
            }

            if (type == "UDP-CONNECT" && delay is int d && d < settings.UdpConnectMinIntervalHealthMonitor)
            {
                throw ApiException.ValidationFailure(string.Create(CultureInfo.InvariantCulture,
                    $"The request delay value {d} should be larger than {settings.UdpConnectMinIntervalHealthMonitor} for UDP-CONNECT health monitor type."));
            }
        }
        else if (type is "UDP-CONNECT" or "SCTP")
        {
            throw ApiException.ValidationFailure($"The {type} type is only supported for pools of type UDP/SCTP.");
        }
    }

    /// <summary>
    /// Applies a PUT body to <paramref name="monitor"/> after upstream's update checks: HTTP fields only on
    /// HTTP/HTTPS monitors, delay/timeout/max_retries not null, and the other nulls back to their defaults.
    /// </summary>
    public static void ApplyPut(JsonBody body, HealthMonitor monitor, string poolProtocol, ApiSettingsOptions settings)
    {
        var f = Read(body);
        if (!IsHttp(monitor.Type))
        {
            RejectHttpField("http_method", f.HttpMethod.Present, monitor.Type);
            RejectHttpField("url_path", f.UrlPath.Present, monitor.Type);
            RejectHttpField("expected_codes", f.ExpectedCodes.Present, monitor.Type);
        }

        RejectNull("delay", f.Delay);
        RejectNull("max_retries", f.MaxRetries);
        RejectNull("timeout", f.Timeout);

        var httpVersion = f.HttpVersion.Value ?? monitor.HttpVersion;
        if (!string.IsNullOrEmpty(f.DomainName.Value) && httpVersion is null)
        {
            throw ApiException.ValidationFailure("'http_version' must be specified when 'domain_name' is provided.");
        }

        if (httpVersion is not null && (f.DomainName.Value ?? monitor.DomainName) is not null)
        {
            CheckDomainName(true, httpVersion);
        }

        if (poolProtocol is "UDP" or "SCTP")
        {
            CheckPoolProtocol(monitor.Type, f.Delay.Value, poolProtocol, settings);
        }

        if (f.Name.Present)
        {
            monitor.Name = f.Name.Value ?? "";
        }

        monitor.Delay = f.Delay.Value ?? monitor.Delay;
        monitor.Timeout = f.Timeout.Value ?? monitor.Timeout;
        monitor.MaxRetries = f.MaxRetries.Value ?? monitor.MaxRetries;
        if (f.MaxRetriesDown.Present)
        {
            monitor.MaxRetriesDown = f.MaxRetriesDown.Value ?? DefaultMaxRetriesDown;
        }

        if (f.HttpMethod.Present)
        {
            monitor.HttpMethod = f.HttpMethod.Value ?? DefaultHttpMethod;
        }

        if (f.UrlPath.Present)
        {
            monitor.UrlPath = f.UrlPath.Value ?? DefaultUrlPath;
        }

        if (f.ExpectedCodes.Present)
        {
            monitor.ExpectedCodes = f.ExpectedCodes.Value ?? DefaultExpectedCodes;
        }

        if (f.AdminStateUp.Present)
        {
            monitor.Enabled = f.AdminStateUp.Value ?? false;
        }

        if (f.Tags.Present)
        {
            monitor.Tags = f.Tags.Value ?? [];
        }

        if (f.HttpVersion.Present)
        {
            monitor.HttpVersion = f.HttpVersion.Value;
        }

        if (f.DomainName.Present)
        {
            monitor.DomainName = f.DomainName.Value;
        }
    }

    private static bool IsHttp(string type) => type is "HTTP" or "HTTPS";

    private static void RejectHttpField(string field, bool given, string type)
    {
        if (given)
        {
            throw ApiException.BadRequest($"{field} is not a valid option for health monitors of type {type}");
        }
    }

    private static void RejectNull<T>(string field, Opt<T?> value)
        where T : struct
    {
        if (value.Present && value.Value is null)
        {
            throw ApiException.BadRequest($"None is not a valid option for {field}");
        }
    }

    private static void CheckDomainName(bool hasDomainName, double? httpVersion)
    {
        if (!hasDomainName)
        {
            return;
        }

        if (httpVersion is null)
        {
            throw ApiException.ValidationFailure("'http_version' must be specified when 'domain_name' is provided.");
        }

        if (httpVersion < 1.1)
        {
            throw ApiException.BadRequest(string.Create(CultureInfo.InvariantCulture,
                $"http_version {FormatVersion(httpVersion.Value)} is not a valid option for health monitors HTTP 1.1 domain name health check"));
        }
    }

    /// <summary>Python's float formatting: 1.0 keeps its ".0".</summary>
    public static string FormatVersion(double version) =>
        version == Math.Floor(version) ? version.ToString("0.0", CultureInfo.InvariantCulture) : version.ToString(CultureInfo.InvariantCulture);

    private static Opt<string?> UrlPath(JsonBody body)
    {
        var value = body.String("url_path", int.MaxValue);
        if (value.Value is { } path && !IsUrlPath(path))
        {
            throw ApiException.InvalidInput("url_path", path, "Value must be a valid URL Path string");
        }

        return value;
    }

    /// <summary>
    /// Upstream's url_path check (rfc3986): an absolute path, optionally with query and fragment, no
    /// whitespace, no scheme or authority, only characters valid in a URI.
    /// </summary>
    private static bool IsUrlPath(string path)
    {
        if (!path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '%')
            {
                if (i + 2 >= path.Length || !Uri.IsHexDigit(path[i + 1]) || !Uri.IsHexDigit(path[i + 2]))
                {
                    return false;
                }
            }
            else if (!(char.IsAsciiLetterOrDigit(c) || "-._~!$&'()*+,;=:@/?#".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static Opt<string?> ExpectedCodes(JsonBody body)
    {
        var value = body.String("expected_codes", int.MaxValue);
        if (value.Value is { } codes && !ExpectedCodesRegex().IsMatch(codes))
        {
            throw ApiException.InvalidInput("expected_codes", codes, "Value should match the pattern " + ExpectedCodesPattern);
        }

        return value;
    }

    private static Opt<double?> HttpVersion(JsonBody body)
    {
        var value = body.Number("http_version");
        if (value.Value is { } v && v != 1.0 && v != 1.1)
        {
            throw ApiException.InvalidInput("http_version", v.ToString(CultureInfo.InvariantCulture), "Value should be one of: 1.0, 1.1");
        }

        return value;
    }

    private static Opt<string?> DomainName(JsonBody body)
    {
        var value = body.String("domain_name", 255, 1);
        if (value.Value is { } name && !DomainNameRegex().IsMatch(name))
        {
            throw ApiException.InvalidInput("domain_name", name, "Value should match the pattern " + DomainNamePattern);
        }

        return value;
    }
}
