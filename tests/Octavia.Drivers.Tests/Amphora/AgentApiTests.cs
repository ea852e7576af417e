using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Octavia.Core.Amphorae;
using Octavia.Drivers.Amphora.Rest;
using Octavia.Drivers.Certificates.Local;

namespace Octavia.Drivers.Tests.Amphora;

/// <summary>
/// The agent endpoints besides HAProxy control, on a real agent over mutual TLS: details, certificate rotation seen on
/// the next handshake, configuration replacement, the plug endpoints' HTTP answers, interface lookup, and the
/// controller's wait for an agent to come up.
/// </summary>
public sealed class AgentApiTests : IAsyncLifetime
{
    private AgentTestHost _agent = null!;

    public async ValueTask InitializeAsync() => _agent = await AgentTestHost.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _agent.DisposeAsync();

    [Fact]
    public async Task Details_HasTheControllerFields_WithRealValues()
    {
        using var client = _agent.Client();
        using var details = await client.GetDetailsAsync(TestContext.Current.CancellationToken);
        var root = details.RootElement;
        foreach (var field in new[] { "hostname", "haproxy_version", "api_version", "networks", "active", "haproxy_count", "cpu_count", "cpu", "memory",
            "disk", "load", "active_tuned_profiles", "topology", "topology_status", "listeners", "packages", "lvs_listener_process_count" })
        {
            Assert.True(root.TryGetProperty(field, out _), field);
        }

        Assert.Equal(Environment.ProcessorCount, root.GetProperty("cpu_count").GetInt32());
        Assert.True(root.GetProperty("memory").GetProperty("total").GetInt64() > 0);
        Assert.True(root.GetProperty("cpu").GetProperty("total").GetInt64() > 0);
        Assert.True(root.GetProperty("disk").GetProperty("available").GetInt64() > 0);
        Assert.Equal(3, root.GetProperty("load").GetArrayLength());
        Assert.StartsWith("2.", root.GetProperty("haproxy_version").GetString(), StringComparison.Ordinal);
        Assert.Equal("SINGLE", root.GetProperty("topology").GetString());
        Assert.True(root.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Certificate_Rotated_IsServedOnTheNextHandshake_AndStored0600()
    {
        var ct = TestContext.Current.CancellationToken;
        var before = await PresentedCertificateAsync(ct);
        var rotated = _agent.Authority.IssueAmphoraCertificate(_agent.AmphoraId, TimeSpan.FromDays(60)).Pem;
        using (var client = _agent.Client())
        {
            await client.UpdateServerCertificateAsync(rotated, ct);
        }

        var after = await PresentedCertificateAsync(ct);
        Assert.NotEqual(before.Thumbprint, after.Thumbprint);
        using var expected = X509Certificate2.CreateFromPem(rotated);
        Assert.Equal(expected.Thumbprint, after.Thumbprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_agent.ServerCertificateFile));

        // The controller still accepts the rotated certificate (same CA, same amphora id).
        using var again = _agent.Client();
        Assert.Equal("1.0", await again.GetApiVersionAsync(ct));

        var refused = await Assert.ThrowsAsync<AgentRequestException>(() => again.UpdateServerCertificateAsync("not a certificate", ct));
        Assert.Equal(400, refused.StatusCode);
        Assert.Equal(expected.Thumbprint, (await PresentedCertificateAsync(ct)).Thumbprint);
    }

    [Fact]
    public async Task Config_Replaced_Mode0600()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _agent.Client();
        const string config = "[amphora_agent]\namphora_id = x\n[health_manager]\nheartbeat_interval = 3\n";
        await client.UpdateAgentConfigAsync(config, ct);
        Assert.Equal(config, await File.ReadAllTextAsync(_agent.ConfigFile, ct));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_agent.ConfigFile));
    }

    [Fact]
    public async Task Plug_UnknownMac_Retried_Then404_BadJson400()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _agent.Client();
        var started = System.Diagnostics.Stopwatch.StartNew();
        var missing = await Assert.ThrowsAsync<AgentRequestException>(() => client.PlugVipAsync("203.0.113.50",
            new PlugVipRequest("203.0.113.0/24", "203.0.113.1", "fa:16:3e:ab:cd:ef"), ct, attempts: 3, interval: TimeSpan.FromMilliseconds(50)));
        Assert.Equal(404, missing.StatusCode);
        Assert.Equal("No suitable network interface found", missing.Details);
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(100), "two waits between three attempts");

        var network = await Assert.ThrowsAsync<AgentRequestException>(() => client.PlugNetworkAsync(
            new PlugNetworkRequest("fa:16:3e:ab:cd:ef", [new FixedIp("198.51.100.7", "198.51.100.0/24")]), ct, attempts: 1));
        Assert.Equal(404, network.StatusCode);

        using var http = RawClient();
        using var bad = await http.PostAsync("/1.0/plug/vip/203.0.113.50", new StringContent("{not json"), ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var badVip = await http.PostAsync("/1.0/plug/vip/nope",
            new StringContent("""{"subnet_cidr":"203.0.113.0/24","gateway":null,"mac_address":"fa:16:3e:ab:cd:ef"}"""), ct);
        Assert.Equal(HttpStatusCode.BadRequest, badVip.StatusCode);
    }

    [Fact]
    public async Task Interface_OfLoopback_IsLo_Invalid400_Unknown404()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _agent.Client();
        Assert.Equal("lo", await client.GetInterfaceAsync("127.0.0.1", ct));
        Assert.Null(await client.GetInterfaceAsync("203.0.113.254", ct));
        var invalid = await Assert.ThrowsAsync<AgentRequestException>(() => client.GetInterfaceAsync("300.1.1.1", ct));
        Assert.Equal(400, invalid.StatusCode);
    }

    [Fact]
    public async Task WaitUntilUp_ReturnsVersion_AndGivesUpOnAClosedPort()
    {
        var ct = TestContext.Current.CancellationToken;
        using (var client = _agent.Client())
        {
            Assert.Equal("1.0", await client.WaitUntilUpAsync(3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), TimeProvider.System, ct));
        }

        int closedPort;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var nobody = AmphoraAgentClient.Create(new Uri($"https://127.0.0.1:{closedPort}"), _agent.AmphoraId,
            _agent.Authority.PathOf(LocalCertificateAuthority.ClientCertFile), _agent.Authority.PathOf(LocalCertificateAuthority.ServerCaCertFile),
            TimeSpan.FromSeconds(2));
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAsync<HttpRequestException>(() =>
            nobody.WaitUntilUpAsync(4, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(40), TimeProvider.System, ct));
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(80), "three bounded waits between four attempts");
    }

    /// <summary>The certificate the agent presents on a brand-new TLS connection.</summary>
    private async Task<X509Certificate2> PresentedCertificateAsync(CancellationToken ct)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_agent.Address.Host, _agent.Address.Port, ct);
        await using var tls = new SslStream(tcp.GetStream());
        X509Certificate2? seen = null;
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = _agent.AmphoraId,
            ClientCertificates = [ClientCertificate()],
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                seen = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return true;
            },
        }, ct);
        return seen ?? throw new InvalidOperationException("no certificate presented");
    }

    private X509Certificate2 ClientCertificate() =>
        X509Certificate2.CreateFromPemFile(_agent.Authority.PathOf(LocalCertificateAuthority.ClientCertFile),
            _agent.Authority.PathOf(LocalCertificateAuthority.ClientCertFile));

    private HttpClient RawClient() =>
        new(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [ClientCertificate()],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        })
        { BaseAddress = _agent.Address };
}
