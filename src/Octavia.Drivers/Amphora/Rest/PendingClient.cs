namespace Octavia.Drivers.Amphora.Rest;

// TEMPORARY until the agent branch lands.
public sealed record PlugVipRequest(string SubnetCidr, string? Gateway, string MacAddress, int Mtu, string? VrrpIp);
public sealed record PlugFixedIp(string IpAddress, string SubnetCidr);
public sealed record PlugNetworkRequest(string MacAddress, IReadOnlyList<PlugFixedIp> FixedIps, int Mtu);

public static class PendingClient
{
    public static Task WaitUntilUpAsync(this AmphoraAgentClient c, int max, TimeSpan interval, CancellationToken ct) => throw new NotImplementedException();
    public static Task PlugVipAsync(this AmphoraAgentClient c, string vip, PlugVipRequest r, CancellationToken ct) => throw new NotImplementedException();
    public static Task PlugNetworkAsync(this AmphoraAgentClient c, PlugNetworkRequest r, CancellationToken ct) => throw new NotImplementedException();
    public static Task ReloadAsync(this AmphoraAgentClient c, string lb, CancellationToken ct) => throw new NotImplementedException();
    public static Task DeleteListenersAsync(this AmphoraAgentClient c, string lb, CancellationToken ct) => throw new NotImplementedException();
    public static Task UpdateAgentConfigAsync(this AmphoraAgentClient c, string text, CancellationToken ct) => throw new NotImplementedException();
}
