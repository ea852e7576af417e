using System.Net;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Core.Configuration;
using Octavia.Core.Model;
using Octavia.Core.Statuses;

namespace Octavia.Api.Endpoints.Members;

/// <summary>
/// Parsing and validation of member request bodies (reference/api.md §9), free of database work so that
/// the member POST, the batch update and the load balancer graph create share it.
/// </summary>
public static class MemberRequests
{
    /// <summary>Attributes of a member POST (also each element of a batch update and of a graph pool's <c>members</c>).</summary>
    public static readonly HashSet<string> PostAttributes =
    [
        "name", "admin_state_up", "address", "protocol_port", "weight", "backup", "subnet_id", "project_id", "tenant_id",
        "monitor_port", "monitor_address", "tags", "request_sriov",
    ];

    public static readonly HashSet<string> PutAttributes = ["name", "admin_state_up", "weight", "backup", "monitor_port", "monitor_address", "tags"];

    public const int MinWeight = 0;
    public const int MaxWeight = 256;

    /// <summary>
    /// A validated new member with POST defaults applied. <see cref="Member.ProjectId"/> and
    /// <see cref="Member.PoolId"/> are left empty for the caller; <see cref="Member.VnicType"/> is
    /// <c>direct</c> when <c>request_sriov</c> was true (the caller checks the flavor allows it).
    /// </summary>
    public static Member ParsePost(JsonBody body, NetworkingOptions networking, DateTime now)
    {
        var name = body.String("name").Value;
        var adminStateUp = body.Bool("admin_state_up");
        var address = JsonBody.Required("address", body.IpAddress("address"));
        var protocolPort = JsonBody.RequiredValue("protocol_port", body.Int("protocol_port", 1, 65535));
        var weight = body.Int("weight", MinWeight, MaxWeight);
        var backup = body.Bool("backup");
        var subnetId = body.Uuid("subnet_id").Value;
        body.String("project_id", 36);
        body.String("tenant_id", 36);
        var monitorPort = body.Int("monitor_port", 1, 65535).Value;
        var monitorAddress = body.IpAddress("monitor_address").Value;
        var tags = body.Tags().Value ?? [];
        var requestSriov = body.Bool("request_sriov").Value ?? false;

        CheckNotReserved(address, networking);
        return new Member
        {
            Id = WriteScope.NewId(),
            ProjectId = "",
            PoolId = "",
            Name = name ?? "",
            ProvisioningStatus = ProvisioningStatus.PendingCreate,
            OperatingStatus = OperatingStatus.NoMonitor,
            // WSME turns an explicit null into false for booleans (reference/api.md §1).
            Enabled = !adminStateUp.Present || (adminStateUp.Value ?? false),
            Address = address,
            ProtocolPort = protocolPort,
            Weight = weight.Value ?? 1,
            Backup = backup.Value ?? false,
            SubnetId = subnetId,
            MonitorAddress = monitorAddress,
            MonitorPort = monitorPort,
            VnicType = requestSriov ? "direct" : "normal",
            Tags = tags,
            CreatedAt = now,
        };
    }

    /// <summary>
    /// Upstream compares the exploded, upper-cased form against <c>[networking] reserved_ips</c> and
    /// words the refusal as an invalid option.
    /// </summary>
    public static void CheckNotReserved(string address, NetworkingOptions networking)
    {
        var exploded = Explode(address);
        foreach (var reserved in ApiSettingsOptions.SplitList(networking.ReservedIps))
        {
            if (IPAddress.TryParse(reserved, out _) && Explode(reserved) == exploded)
            {
                throw ApiException.BadRequest($"{exploded} is not a valid option for member address");
            }
        }
    }

    private static string Explode(string address)
    {
        var ip = IPAddress.Parse(address);
        if (ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return ip.ToString();
        }

        var bytes = ip.GetAddressBytes();
        var groups = new string[8];
        for (var i = 0; i < 8; i++)
        {
            groups[i] = ((bytes[2 * i] << 8) | bytes[2 * i + 1]).ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        }

        return string.Join(':', groups);
    }
}
