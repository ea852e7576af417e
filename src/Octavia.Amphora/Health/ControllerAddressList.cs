using System.Globalization;
using System.Net;

namespace Octavia.Amphora.Health;

/// <summary>
/// <c>[health_manager] controller_ip_port_list</c>: comma-separated <c>ip:port</c> receivers, an IPv6 address
/// written <c>[addr]:port</c> (a bare <c>addr:port</c> also reads, the port being after the last colon).
/// Addresses only: a host name is rejected, so that no heartbeat ever waits for a resolver.
/// </summary>
internal static class ControllerAddressList
{
    /// <summary>The receivers in the order written; <paramref name="rejected"/> gets each entry that is not one.</summary>
    public static IPEndPoint[] Parse(string list, out List<string> rejected)
    {
        rejected = [];
        var receivers = new List<IPEndPoint>();
        foreach (var entry in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = entry.LastIndexOf(':');
            if (colon > 0
                && IPAddress.TryParse(entry[..colon].Trim('[', ']'), out var address)
                && int.TryParse(entry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                && port is > 0 and <= IPEndPoint.MaxPort)
            {
                receivers.Add(new IPEndPoint(address, port));
            }
            else
            {
                rejected.Add(entry);
            }
        }

        return [.. receivers];
    }
}
