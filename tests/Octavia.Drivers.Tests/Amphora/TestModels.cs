using Octavia.Core.Model;

namespace Octavia.Drivers.Tests.Amphora;

/// <summary>Members and health monitors for configurations rendered in tests; what rendering never reads has fixed values.</summary>
public static class TestModels
{
    public static Member Member(Pool pool, string id, string address, int port, DateTime createdAt) => new()
    {
        Id = id,
        ProjectId = pool.ProjectId,
        PoolId = pool.Id,
        ProvisioningStatus = "ACTIVE",
        OperatingStatus = "ONLINE",
        Address = address,
        ProtocolPort = port,
        CreatedAt = createdAt,
    };

    /// <param name="rise">Checks that pass before a member is up (<c>max_retries</c>).</param>
    /// <param name="fall">Checks that fail before a member is down (<c>max_retries_down</c>).</param>
    public static HealthMonitor Monitor(string type, int delay, int timeout, int rise, int fall, string? url = null, string? codes = null,
        double? version = null, string? domain = null) => new()
        {
            Id = "5e5e5e5e-0000-4000-8000-000000000001",
            ProjectId = "project1",
            PoolId = "",
            Type = type,
            Delay = delay,
            Timeout = timeout,
            MaxRetries = rise,
            MaxRetriesDown = fall,
            HttpMethod = type is "HTTP" or "HTTPS" ? "GET" : null,
            UrlPath = url,
            ExpectedCodes = codes ?? (type is "HTTP" or "HTTPS" ? "200" : null),
            HttpVersion = version,
            DomainName = domain,
            ProvisioningStatus = "ACTIVE",
            OperatingStatus = "ONLINE",
        };
}
