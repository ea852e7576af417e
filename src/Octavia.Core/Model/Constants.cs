namespace Octavia.Core.Model;

/// <summary>The enumerations of the v2 API (reference/api.md §6-§11), in upstream's spelling.</summary>
public static class Constants
{
    public static readonly IReadOnlyList<string> ListenerProtocols =
        ["HTTP", "HTTPS", "TCP", "TERMINATED_HTTPS", "UDP", "SCTP", "PROMETHEUS"];

    public static readonly IReadOnlyList<string> PoolProtocols =
        ["HTTP", "HTTPS", "PROXY", "PROXYV2", "TCP", "UDP", "SCTP"];

    public static readonly IReadOnlyList<string> LbAlgorithms =
        ["ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP", "SOURCE_IP_PORT"];

    public static readonly IReadOnlyList<string> SessionPersistenceTypes = ["SOURCE_IP", "HTTP_COOKIE", "APP_COOKIE"];

    public static readonly IReadOnlyList<string> HealthMonitorTypes =
        ["HTTP", "HTTPS", "PING", "TCP", "TLS-HELLO", "UDP-CONNECT", "SCTP"];

    public static readonly IReadOnlyList<string> HttpMethods =
        ["GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "OPTIONS", "CONNECT", "PATCH"];

    public static readonly IReadOnlyList<string> L7PolicyActions =
        ["REJECT", "REDIRECT_TO_URL", "REDIRECT_TO_POOL", "REDIRECT_PREFIX"];

    public static readonly IReadOnlyList<string> L7RuleTypes =
        ["HOST_NAME", "PATH", "FILE_TYPE", "HEADER", "COOKIE", "SSL_CONN_HAS_CERT", "SSL_VERIFY_RESULT", "SSL_DN_FIELD"];

    public static readonly IReadOnlyList<string> L7CompareTypes = ["REGEX", "STARTS_WITH", "ENDS_WITH", "CONTAINS", "EQUAL_TO"];

    public static readonly IReadOnlyList<string> ClientAuthentications = ["NONE", "OPTIONAL", "MANDATORY"];

    public static readonly IReadOnlyList<string> TlsVersions = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

    public static readonly IReadOnlyList<string> AlpnProtocols = ["h2", "http/1.1", "http/1.0"];

    public static readonly IReadOnlyList<int> RedirectHttpCodes = [301, 302, 303, 307, 308];

    public const string NilUuid = "00000000-0000-0000-0000-000000000000";
    public const int MaxL7RulesPerPolicy = 50;
    public const int MaxPosition = 2147483647;
}
