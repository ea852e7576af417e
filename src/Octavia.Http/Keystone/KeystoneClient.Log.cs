using Microsoft.Extensions.Logging;

namespace Octavia.Http.Keystone;

// Tokens and passwords never appear in these messages.
public sealed partial class KeystoneClient
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Obtained a service token for user {UserId}, valid until {ExpiresAt}")]
    private static partial void LogServiceTokenObtained(ILogger logger, string userId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Keystone rejected a token (HTTP {Status})")]
    private static partial void LogTokenRejected(ILogger logger, int status);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "Unable to validate a token with Keystone at {AuthUrl}: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string authUrl, string reason);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error,
        Message = "Keystone refused the credentials of service user {Username}: check [keystone_authtoken]")]
    private static partial void LogServiceCredentialsRejected(ILogger logger, string username);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Error,
        Message = "Service user {Username} may not validate tokens: give it the service (or admin) role")]
    private static partial void LogServiceForbidden(ILogger logger, string username);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Information, Message = "Keystone at {AuthUrl} serves identity v3 at {IdentityUrl}")]
    private static partial void LogIdentityFound(ILogger logger, string authUrl, string identityUrl);
}
