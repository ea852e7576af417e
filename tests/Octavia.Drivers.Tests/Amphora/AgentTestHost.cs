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
/// A real agent on 127.0.0.1 with certificates from a throw-away <see cref="LocalCertificateAuthority"/>, its base path
/// under a temporary <c>octavia-</c> directory. Disposing it stops every HAProxy started under that base path (the
/// agent itself leaves them running, as upstream) and removes the directory, also when starting failed half-way.
/// </summary>
public sealed class AgentTestHost : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private WebApplication? _agent;

    private AgentTestHost(string directory, IReadOnlyDictionary<string, string?>? settings)
    {
        Directory = directory;
        _settings = settings ?? new Dictionary<string, string?>();
    }

    public string Directory { get; }

    public string AmphoraId { get; } = Guid.NewGuid().ToString();

    public LocalCertificateAuthority Authority { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public string BasePath => Path.Combine(Directory, "agent");

    public string ServerCertificateFile => Path.Combine(Directory, "server.pem");

    public string ConfigFile => Path.Combine(Directory, "amphora-agent.conf");

    /// <param name="settings">More agent settings (<c>section:key</c>), e.g. where its heartbeats go.</param>
    public static async Task<AgentTestHost> StartAsync(CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var host = new AgentTestHost(Path.Combine(Path.GetTempPath(), "octavia-agent-" + Guid.NewGuid().ToString("N")[..12]), settings);
        try
        {
            host.Authority = new LocalCertificateAuthority(Path.Combine(host.Directory, "ca"), TimeProvider.System);
            host.Authority.Initialize();
            File.WriteAllText(host.ServerCertificateFile, host.Authority.IssueAmphoraCertificate(host.AmphoraId, TimeSpan.FromDays(30)).Pem);
            File.WriteAllText(host.ConfigFile, "[amphora_agent]\n");
            await host.StartAgentAsync(cancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts (again) an agent on the same base path; the port is the one the first agent got.</summary>
    public async Task StartAgentAsync(CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["amphora_agent:agent_server_cert"] = ServerCertificateFile,
            ["amphora_agent:agent_server_ca"] = Authority.PathOf(LocalCertificateAuthority.ClientCaCertFile),
            ["haproxy_amphora:bind_host"] = "127.0.0.1",
            ["haproxy_amphora:bind_port"] = Address is null ? "0" : Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["haproxy_amphora:base_path"] = BasePath,
            ["amphora_agent:amphora_id"] = AmphoraId,
        }).AddInMemoryCollection(_settings).Build();
        _agent = AmphoraAgentHost.Build(configuration, configFile: ConfigFile);
        await _agent.StartAsync(cancellationToken);
        var address = _agent.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>Stops the agent as SIGTERM would (the host's graceful stop); HAProxy processes stay.</summary>
    public async Task StopAgentAsync()
    {
        if (_agent is not null)
        {
            await _agent.StopAsync();
            await _agent.DisposeAsync();
            _agent = null;
        }
    }

    public AmphoraAgentClient Client(TimeSpan? timeout = null) =>
        AmphoraAgentClient.Create(Address, AmphoraId, Authority.PathOf(LocalCertificateAuthority.ClientCertFile),
            Authority.PathOf(LocalCertificateAuthority.ServerCaCertFile), timeout ?? TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        await StopAgentAsync();
        HaproxyProcesses.KillAllUnder(BasePath);
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
