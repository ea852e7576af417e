namespace Octavia.Core.Statuses;

/// <summary>Values of <c>operating_status</c> (reference/api.md §5.1).</summary>
public static class OperatingStatus
{
    public const string Online = "ONLINE";
    public const string Offline = "OFFLINE";
    public const string Degraded = "DEGRADED";
    public const string Error = "ERROR";
    public const string Draining = "DRAINING";
    public const string NoMonitor = "NO_MONITOR";

    public static readonly IReadOnlyList<string> All = [Online, Offline, Degraded, Error, Draining, NoMonitor];
}
