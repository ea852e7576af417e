using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Logging;

namespace Octavia.Http.Keystone;

/// <summary>
/// Finds Keystone's identity v3 API at start-up (<see cref="KeystoneClient.DiscoverAsync"/>), so that an
/// <c>auth_url</c> that is not a Keystone stops the start with a message naming it instead of a 503 on every
/// request. A Keystone that does not answer yet is not an error: the first request that needs it looks again.
/// </summary>
public sealed partial class KeystoneDiscovery(KeystoneClient keystone, IOptions<KeystoneAuthTokenOptions> options, ILogger<KeystoneDiscovery> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await keystone.DiscoverAsync(cancellationToken);
        }
        catch (KeystoneUnavailableException e)
        {
            LogNotReachable(logger, options.Value.AuthUrl, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = LogEventIds.KeystoneDiscoveryUnavailable, Level = LogLevel.Warning,
        Message = "Keystone at {AuthUrl} did not answer at start-up ({Reason}); requests get 503 until it does")]
    private static partial void LogNotReachable(ILogger logger, string authUrl, string reason);
}
