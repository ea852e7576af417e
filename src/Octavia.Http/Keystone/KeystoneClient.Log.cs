using Microsoft.Extensions.Logging;
using Octavia.Core.Logging;

namespace Octavia.Http.Keystone;

// Tokens and passwords never appear in these messages.
public sealed partial class KeystoneClient
{
    [LoggerMessage(EventId = LogEventIds.KeystoneClientServiceTokenObtained, Level = LogLevel.Information, Message = "Obtained a service token for user {UserId}, valid until {ExpiresAt}")]
    private static partial void LogServiceTokenObtained(ILogger logger, string userId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = LogEventIds.KeystoneClientTokenRejected, Level = LogLevel.Information, Message = "Keystone rejected a token (HTTP {Status})")]
    private static partial void LogTokenRejected(ILogger logger, int status);

    [LoggerMessage(EventId = LogEventIds.KeystoneClientUnavailable, Level = LogLevel.Error, Message = "Unable to validate a token with Keystone at {AuthUrl}: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string authUrl, string reason);

    [LoggerMessage(EventId = LogEventIds.KeystoneClientServiceCredentialsRejected, Level = LogLevel.Error,
        Message = "Keystone refused the credentials of service user {Username}: check [keystone_authtoken]")]
    private static partial void LogServiceCredentialsRejected(ILogger logger, string username);

    [LoggerMessage(EventId = LogEventIds.KeystoneClientServiceForbidden, Level = LogLevel.Error,
        Message = "Service user {Username} may not validate tokens: give it the service (or admin) role")]
    private static partial void LogServiceForbidden(ILogger logger, string username);

    [LoggerMessage(EventId = LogEventIds.KeystoneClientIdentityFound, Level = LogLevel.Information, Message = "Keystone at {AuthUrl} serves identity v3 at {IdentityUrl}")]
    private static partial void LogIdentityFound(ILogger logger, string authUrl, string identityUrl);
}
