namespace Octavia.Amphora.Health;

/// <summary>What one row of <c>show stat</c> is (its <c>type</c> column).</summary>
internal enum HaproxyStatType
{
    Frontend = 0,
    Backend = 1,
    Server = 2,
    Listener = 3,
}

/// <summary>The columns of one <c>show stat</c> row that a heartbeat needs; an empty number reads as 0.</summary>
internal readonly record struct HaproxyStatRow(
    string ProxyName,
    string ServiceName,
    HaproxyStatType Type,
    string Status,
    long SessionsCurrent,
    long SessionsLimit,
    long SessionsTotal,
    long BytesIn,
    long BytesOut,
    long RequestErrors);
