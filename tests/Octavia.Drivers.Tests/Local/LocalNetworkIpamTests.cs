using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Core.Drivers;
using Octavia.Db;
using Octavia.Drivers.Hosting;
using Octavia.Drivers.Local;

namespace Octavia.Drivers.Tests.Local;

/// <summary>
/// The local network driver's IPAM, on SQLite and (with OCTAVIA_TEST_POSTGRES) PostgreSQL, in the mode
/// that makes no links (process amphorae), so it needs no root: allocations are unique under
/// concurrency, a requested address is honoured or refused, a full range says so.
/// </summary>
public abstract class LocalNetworkIpamTests : IAsyncLifetime
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "octavia-ipam-" + Guid.NewGuid().ToString("N")[..8]);
    private ServiceProvider _services = null!;

    /// <summary>The PostgreSQL server (a URL) to make a fresh database on, or null for SQLite.</summary>
    protected abstract string? PostgresServer { get; }

    private string? _database;

    private LocalNetworkDriver Driver => _services.GetRequiredService<LocalNetworkDriver>();

    public async ValueTask InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["DEFAULT:state_path"] = _state,
            ["controller_worker:compute_driver"] = "compute_process_driver",
            ["controller_worker:network_driver"] = "network_local_driver",
            ["controller_worker:amphora_driver"] = "amphora_noop_driver",
            ["local_network:private_cidr"] = "192.0.2.0/29",
        };
        if (PostgresServer is { } server)
        {
            _database = "octavia_ipam_" + Guid.NewGuid().ToString("N")[..12];
            await AdminAsync(server, $"CREATE DATABASE {_database}");
            var url = new Uri(server);
            settings["database:connection"] = $"postgresql://{url.UserInfo}@{url.Host}:{url.Port}/{_database}";
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddOctaviaDb(configuration)
            .AddOctaviaDrivers(configuration)
            .BuildServiceProvider();
        await _services.MigrateOctaviaDbAsync(CancellationToken.None);
        await Driver.InitAsync(CancellationToken.None);
    }

    private static async Task AdminAsync(string server, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(DatabaseTarget.Parse(server, "/tmp").ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_database is not null)
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await AdminAsync(PostgresServer!, $"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        }

        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    private async Task<string> SubnetAsync(string name) =>
        (await Driver.ListAsync(CancellationToken.None)).SelectMany(n => n.Subnets).Single(s => s.Name == name).Id;

    [Fact]
    public async Task Init_Twice_KeepsTheSameNetworks()
    {
        var first = (await Driver.ListAsync(CancellationToken.None)).Select(n => n.Id).ToList();
        await Driver.InitAsync(CancellationToken.None);
        Assert.Equal(first, (await Driver.ListAsync(CancellationToken.None)).Select(n => n.Id).ToList());
        Assert.Equal(["public", "private", "lb-mgmt-net"], (await Driver.ListAsync(CancellationToken.None)).Select(n => n.Name).ToArray());
    }

    [Fact]
    public async Task Ipv6Subnet_OnPrivate_VipsFromItsPool_NetworkVipTakesIpv4_AddedBackToAnOlderInstall()
    {
        var privateNetwork = (await Driver.ListAsync(CancellationToken.None)).Single(n => n.Name == "private");
        var v6 = privateNetwork.Subnets.Single(s => s.Name == "private-ipv6-subnet");
        Assert.Equal(("2001:db8:2::/64", 6, "2001:db8:2::1", (string?)null, "2001:db8:2::2", "2001:db8:2:0:ffff:ffff:ffff:ffff"),
            (v6.Cidr, v6.IpVersion, v6.GatewayIp, v6.HostAddress, v6.AllocationStart, v6.AllocationEnd));
        Assert.Equal("2001:db8:2::2", (await Driver.AllocateVipAsync(new VipRequest("lb6", "p", v6.Id, null, null, null), CancellationToken.None)).Address);
        var byNetwork = await Driver.AllocateVipAsync(new VipRequest("lb4", "p", null, privateNetwork.Id, null, null), CancellationToken.None);
        Assert.Equal(await SubnetAsync("private-subnet"), byNetwork.SubnetId);
        // Process amphorae live on loopback ranges, which have no IPv6 counterpart: public is IPv4 alone.
        Assert.DoesNotContain((await Driver.ListAsync(CancellationToken.None)).SelectMany(n => n.Subnets), s => s.Name == "public-ipv6-subnet");

        // An install older than the IPv6 subnets: the next init adds the one missing to the existing network.
        await Driver.DeallocateVipAsync("lb6", null, CancellationToken.None);
        await using (var scope = _services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<OctaviaDbContext>().Subnets.Where(s => s.Id == v6.Id).ExecuteDeleteAsync();
        }

        await Driver.InitAsync(CancellationToken.None);
        var again = (await Driver.ListAsync(CancellationToken.None)).Single(n => n.Name == "private");
        Assert.Equal(privateNetwork.Id, again.Id);
        Assert.Equal("2001:db8:2::/64", again.Subnets.Single(s => s.Name == "private-ipv6-subnet").Cidr);
        Assert.Equal(2, again.Subnets.Count);
    }

    [Fact]
    public async Task ConcurrentVips_GetDistinctAddresses_NeverTheHostsOrGateway()
    {
        var subnet = await SubnetAsync("public-subnet");
        var vips = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Task.Run(() =>
            Driver.AllocateVipAsync(new VipRequest(Guid.NewGuid().ToString(), "p", subnet, null, null, null), CancellationToken.None))));
        var addresses = vips.Select(v => v.Address).ToList();
        Assert.Equal(addresses.Count, addresses.Distinct().Count());
        Assert.All(addresses, a => Assert.True(Cidr.Parse("127.203.113.0/24").Contains(IPAddress.Parse(a)), a));
        Assert.DoesNotContain("127.203.113.1", addresses);
    }

    [Fact]
    public async Task RequestedAddress_IsHonoured_ThenRefusedForTheNextCaller()
    {
        var subnet = await SubnetAsync("public-subnet");
        var vip = await Driver.AllocateVipAsync(new VipRequest("lb1", "p", subnet, null, null, "127.203.113.77"), CancellationToken.None);
        Assert.Equal("127.203.113.77", vip.Address);
        var e = await Assert.ThrowsAsync<NetworkDriverException>(() =>
            Driver.AllocateVipAsync(new VipRequest("lb2", "p", subnet, null, null, "127.203.113.77"), CancellationToken.None));
        Assert.Contains("already allocated", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<NetworkDriverException>(() =>
            Driver.AllocateVipAsync(new VipRequest("lb3", "p", subnet, null, null, "198.51.100.7"), CancellationToken.None));

        // Released with its load balancer, the address is free again.
        await Driver.DeallocateVipAsync("lb1", vip.PortId, CancellationToken.None);
        Assert.Equal("127.203.113.77", (await Driver.AllocateVipAsync(new VipRequest("lb4", "p", subnet, null, null, "127.203.113.77"), CancellationToken.None)).Address);
    }

    [Fact]
    public async Task FullRange_SaysSo()
    {
        // 192.0.2.0/29: .1 is the router, .2-.6 can be allocated.
        var subnet = await SubnetAsync("private-subnet");
        for (var i = 0; i < 5; i++)
        {
            await Driver.PlugAsync(new PlugRequest("dev" + i, LocalNetworkDriver.AmphoraOwner, "p", subnet, null), CancellationToken.None);
        }

        var e = await Assert.ThrowsAsync<NetworkDriverException>(() =>
            Driver.PlugAsync(new PlugRequest("dev5", LocalNetworkDriver.AmphoraOwner, "p", subnet, null), CancellationToken.None));
        Assert.Contains("No more IP addresses", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plug_IsIdempotentPerDeviceAndSubnet_AndUnplugFreesTheAddress()
    {
        var subnet = await SubnetAsync("private-subnet");
        var first = await Driver.PlugAsync(new PlugRequest("amp", LocalNetworkDriver.AmphoraOwner, "p", subnet, null), CancellationToken.None);
        var again = await Driver.PlugAsync(new PlugRequest("amp", LocalNetworkDriver.AmphoraOwner, "p", subnet, null), CancellationToken.None);
        Assert.Equal(first, again);
        Assert.Single(await Driver.PortsOfAsync("amp", CancellationToken.None));
        Assert.StartsWith("fa:16:3e:", first.MacAddress, StringComparison.Ordinal);
        await Driver.UnplugAsync(first.PortId, CancellationToken.None);
        Assert.Empty(await Driver.PortsOfAsync("amp", CancellationToken.None));
    }

    [Fact]
    public async Task UplinkAddresses_AreNeverHandedOut_AndRecomputedByTheNextExclude()
    {
        var ipam = _services.GetRequiredService<LocalIpam>();
        var subnet = await SubnetAsync("public-subnet");
        var now = DateTime.UtcNow;
        var kept = await ipam.ExcludeAsync([IPAddress.Parse("127.203.113.3"), IPAddress.Parse("10.9.9.9")], "admin", now, CancellationToken.None);
        Assert.Equal([("127.203.113.3", "public-subnet", (string?)null)], kept.Select(k => (k.Address.ToString(), k.Subnet, k.HeldBy)));

        var vips = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            vips.Add((await Driver.AllocateVipAsync(new VipRequest("lb" + i, "p", subnet, null, null, null), CancellationToken.None)).Address);
        }

        Assert.Equal(["127.203.113.2", "127.203.113.4", "127.203.113.5"], vips);
        var e = await Assert.ThrowsAsync<NetworkDriverException>(() =>
            Driver.AllocateVipAsync(new VipRequest("lb9", "p", subnet, null, null, "127.203.113.3"), CancellationToken.None));
        Assert.Contains("already allocated", e.Message, StringComparison.Ordinal);

        // Found again with other addresses: the old one is free, and one held by a load balancer is named, not taken.
        kept = await ipam.ExcludeAsync([IPAddress.Parse("127.203.113.4"), IPAddress.Parse("127.203.113.9")], "admin", now, CancellationToken.None);
        Assert.Equal(["127.203.113.4 lb1", "127.203.113.9 "], kept.Select(k => $"{k.Address} {(k.HeldBy?.Contains("lb1", StringComparison.Ordinal) == true ? "lb1" : "")}"));
        Assert.Equal("127.203.113.3", (await Driver.AllocateVipAsync(new VipRequest("lb3", "p", subnet, null, null, null), CancellationToken.None)).Address);
        Assert.Equal("127.203.113.6", (await Driver.AllocateVipAsync(new VipRequest("lb4", "p", subnet, null, null, null), CancellationToken.None)).Address);
        Assert.Equal("127.203.113.7", (await Driver.AllocateVipAsync(new VipRequest("lb5", "p", subnet, null, null, null), CancellationToken.None)).Address);
        Assert.Equal("127.203.113.8", (await Driver.AllocateVipAsync(new VipRequest("lb6", "p", subnet, null, null, null), CancellationToken.None)).Address);
        Assert.Equal("127.203.113.10", (await Driver.AllocateVipAsync(new VipRequest("lb7", "p", subnet, null, null, null), CancellationToken.None)).Address);

        // Nothing to keep out any more: the holding port goes.
        Assert.Empty(await ipam.ExcludeAsync([], "admin", now, CancellationToken.None));
        await using var scope = _services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<OctaviaDbContext>().Ports.AnyAsync(p => p.DeviceOwner == LocalIpam.UplinkOwner));
    }

    [Fact]
    public void UriHosts_OfAptAndNuGetLines()
    {
        string[] lines =
        [
            "deb [signed-by=/usr/share/keyrings/x.gpg] http://deb.debian.org/debian bookworm main",
            "URIs: http://mirror.example.net/debian https://user:secret@[2001:db8::5]:8443/debian",
            "<add key=\"nuget.org\" value=\"https://api.nuget.org/v3/index.json\" protocolVersion=\"3\" />",
            "Acquire::http::Proxy \"http://proxy.example.org:3128\";",
            "Suites: bookworm",
            "deb file:/srv/local ./ http://localhost/x",
        ];
        Assert.Equal(["deb.debian.org", "mirror.example.net", "[2001:db8::5]", "api.nuget.org", "proxy.example.org"], UplinkAddresses.UriHosts(lines).ToArray());
    }
}

public sealed class LocalNetworkIpamSqliteTests : LocalNetworkIpamTests
{
    protected override string? PostgresServer => null;
}

public sealed class LocalNetworkIpamPostgresTests : LocalNetworkIpamTests
{
    protected override string? PostgresServer => Environment.GetEnvironmentVariable("OCTAVIA_TEST_POSTGRES") is { Length: > 0 } server
        ? server
        : throw new InvalidOperationException("OCTAVIA_TEST_POSTGRES is not set: run the tests with tests/run.sh, which starts PostgreSQL.");
}
