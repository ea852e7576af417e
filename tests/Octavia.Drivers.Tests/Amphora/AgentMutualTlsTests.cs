using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Amphora;
using Octavia.Drivers.Amphora.Rest;
using Octavia.Drivers.Certificates.Local;

namespace Octavia.Drivers.Tests.Amphora;

/// <summary>
/// Mutual TLS between controller and agent on real sockets (issue 3's mTLS acceptance): the agent
/// refuses, at the handshake, a client without a certificate or with one from another CA; the controller
/// refuses an agent whose certificate is not from the server CA or is issued for another amphora.
/// </summary>
public sealed class AgentMutualTlsTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "octavia-mtls-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _amphoraId = Guid.NewGuid().ToString();
    private LocalCertificateAuthority _authority = null!;
    private LocalCertificateAuthority _strangers = null!;
    private WebApplication _agent = null!;
    private Uri _address = null!;

    public async ValueTask InitializeAsync()
    {
        try
        {
            _authority = new LocalCertificateAuthority(Path.Combine(_directory, "ours"), TimeProvider.System);
            _authority.Initialize();
            _strangers = new LocalCertificateAuthority(Path.Combine(_directory, "theirs"), TimeProvider.System);
            _strangers.Initialize();
            _address = await StartAgentAsync(_authority, _amphoraId);
        }
        catch
        {
            // A fixture that fails to start is not disposed: leave no key material behind.
            if (Directory.Exists(_directory))
            {
                Directory.Delete(_directory, recursive: true);
            }

            throw;
        }
    }

    private async Task<Uri> StartAgentAsync(LocalCertificateAuthority serverCa, string amphoraId)
    {
        var serverPem = Path.Combine(_directory, $"server-{Guid.NewGuid():N}.pem");
        File.WriteAllText(serverPem, serverCa.IssueAmphoraCertificate(amphoraId, TimeSpan.FromDays(30)).Pem);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["amphora_agent:agent_server_cert"] = serverPem,
            ["amphora_agent:agent_server_ca"] = _authority.PathOf(LocalCertificateAuthority.ClientCaCertFile),
            ["haproxy_amphora:bind_host"] = "127.0.0.1",
            ["haproxy_amphora:bind_port"] = "0",
            ["haproxy_amphora:base_path"] = Path.Combine(_directory, "agent"),
        }).Build();
        _agent = AmphoraAgentHost.Build(configuration);
        await _agent.StartAsync(TestContext.Current.CancellationToken);
        var address = _agent.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    private AmphoraAgentClient Controller(string amphoraId, LocalCertificateAuthority clientCa, LocalCertificateAuthority serverCa) =>
        AmphoraAgentClient.Create(_address, amphoraId, clientCa.PathOf(LocalCertificateAuthority.ClientCertFile),
            serverCa.PathOf(LocalCertificateAuthority.ServerCaCertFile), TimeSpan.FromSeconds(10));

    [Fact]
    public async Task Controller_WithClientCertificate_ReadsVersionAndInfo()
    {
        using var client = Controller(_amphoraId, _authority, _authority);
        Assert.Equal("1.0", await client.GetApiVersionAsync(TestContext.Current.CancellationToken));
        var info = await client.GetInfoAsync(TestContext.Current.CancellationToken);
        Assert.Equal("1.0", info["api_version"]);
        Assert.StartsWith("2.", info["haproxy_version"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_WithoutCertificate_IsRefusedAtTheHandshake()
    {
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        using var http = new HttpClient(handler) { BaseAddress = _address };
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync("/", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Client_FromAnotherCa_IsRefusedAtTheHandshake()
    {
        using var client = Controller(_amphoraId, _strangers, _authority);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetApiVersionAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Controller_RefusesAgentFromAnotherServerCa()
    {
        using var client = Controller(_amphoraId, _authority, _strangers);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetApiVersionAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Controller_RefusesAgentCertificateOfAnotherAmphora()
    {
        using var client = Controller(Guid.NewGuid().ToString(), _authority, _authority);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetApiVersionAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task HaproxyConfig_ValidatedBeforeItReplacesTheCurrentOne()
    {
        using var client = Controller(_amphoraId, _authority, _authority);
        var lb = Guid.NewGuid().ToString();
        var ct = TestContext.Current.CancellationToken;
        Assert.Null(await client.GetHaproxyConfigAsync(lb, ct));

        const string good = "global\n    maxconn 100\ndefaults\n    mode http\n    timeout client 5s\n    timeout connect 5s\n    timeout server 5s\n" +
            "frontend f\n    bind 127.0.0.1:18080\n    default_backend b\nbackend b\n    server s1 127.0.0.1:18081\n";
        await client.UploadHaproxyConfigAsync(_amphoraId, lb, good, ct);
        Assert.Equal(good, await client.GetHaproxyConfigAsync(lb, ct));

        // HAProxy refuses this one: the agent answers 400 with HAProxy's words and keeps the last good config.
        var refused = await Assert.ThrowsAsync<AgentRequestException>(() =>
            client.UploadHaproxyConfigAsync(_amphoraId, lb, good + "    bogus-keyword yes\n", ct));
        Assert.Equal(400, refused.StatusCode);
        Assert.Contains("bogus-keyword", refused.Details, StringComparison.Ordinal);
        Assert.Equal(good, await client.GetHaproxyConfigAsync(lb, ct));
        Assert.True(File.Exists(Path.Combine(_directory, "agent", lb, "haproxy.cfg.new-failed")));
    }

    [Fact]
    public async Task Certificates_StoredMode0600_Md5Reported_DeletedIdempotently()
    {
        var lb = Guid.NewGuid().ToString();
        var ct = TestContext.Current.CancellationToken;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [X509Certificate2.CreateFromPemFile(_authority.PathOf(LocalCertificateAuthority.ClientCertFile), _authority.PathOf(LocalCertificateAuthority.ClientCertFile))],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = _address };
        const string pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        var path = $"/1.0/loadbalancer/{lb}/certificates/listener1.pem";

        using (var put = await http.PutAsync(path, new StringContent(pem), ct))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, put.StatusCode);
        }

        var stored = Path.Combine(_directory, "agent", "certs", lb, "listener1.pem");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stored));
        var md5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(pem)));
        Assert.Contains(md5, await http.GetStringAsync(path, ct), StringComparison.Ordinal);

        using (var bad = await http.PutAsync($"/1.0/loadbalancer/{lb}/certificates/..%2Fescape.txt", new StringContent(pem), ct))
        {
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        }

        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.DeleteAsync(path, ct)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.DeleteAsync(path, ct)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(path, ct)).StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.StopAsync();
            await _agent.DisposeAsync();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
