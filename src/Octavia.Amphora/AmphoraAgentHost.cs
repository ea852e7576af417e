using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Octavia.Amphora.Haproxy;
using Octavia.Amphora.Health;
using Octavia.Amphora.Network;

namespace Octavia.Amphora;

/// <summary>
/// The amphora agent's HTTPS server (agent API 1.0, reference/amphora.md §2-§3): mutual TLS only, a
/// client must present a certificate that chains to the client CA or the handshake fails. Beside it runs the
/// heartbeat sender (<see cref="HeartbeatSender"/>).
/// </summary>
public static class AmphoraAgentHost
{
    public const string ApiVersion = "1.0";

    /// <param name="configFile">The agent's configuration file, which <c>PUT /1.0/config</c> replaces; null when there is none.</param>
    public static WebApplication Build(IConfiguration configuration, Action<ILoggingBuilder>? logging = null, string? configFile = null)
    {
        var agent = configuration.GetSection(AmphoraAgentOptions.SectionName).Get<AmphoraAgentOptions>() ?? new AmphoraAgentOptions();
        var bind = configuration.GetSection(AgentBindOptions.SectionName).Get<AgentBindOptions>() ?? new AgentBindOptions();
        var serverCertificate = new ServerCertificateSource(agent.AgentServerCert);
        _ = serverCertificate.Current; // a missing or broken certificate stops the agent at start, not at the first handshake
        var clientCa = X509Certificate2.CreateFromPem(File.ReadAllText(agent.AgentServerCa));

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Parse(bind.BindHost), bind.BindPort, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificateSelector = (_, _) => serverCertificate.Current,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                SslProtocols = agent.AgentTlsProtocol == "TLSv1.3" ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13,
                // Refused at the handshake unless the chain ends at the client CA: nothing else is trusted.
                ClientCertificateValidation = (certificate, _, _) => ChainsTo(certificate, clientCa),
            }));
        });

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new HaproxyProcessManager(bind, sp.GetRequiredService<ILogger<HaproxyProcessManager>>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService(sp => new HeartbeatSender(configuration, bind, sp.GetRequiredService<HaproxyProcessManager>(),
            sp.GetRequiredService<ILogger<HeartbeatSender>>(), sp.GetRequiredService<TimeProvider>()));

        var app = builder.Build();
        app.MapGet("/", () => Api.AgentResults.Strings(new Dictionary<string, string> { ["api_version"] = ApiVersion }));
        var haproxyVersion = new Lazy<string>(() => HaproxyVersion(bind.HaproxyCommand));
        app.MapGet($"/{ApiVersion}/info", () => Api.AgentResults.Strings(new Dictionary<string, string>
        {
            ["hostname"] = Environment.MachineName,
            ["haproxy_version"] = haproxyVersion.Value,
            ["api_version"] = ApiVersion,
        }));
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var haproxy = app.Services.GetRequiredService<HaproxyProcessManager>();
        Api.HaproxyConfigEndpoints.Map(app, bind);
        Api.CertificateEndpoints.Map(app, bind);
        Api.LoadBalancerEndpoints.Map(app, haproxy);
        Api.DetailsEndpoints.Map(app, haproxy, () => haproxyVersion.Value);
        Api.PlugEndpoints.Map(app, new InterfacePlugger(loggers.CreateLogger<InterfacePlugger>()));
        Api.AgentFileEndpoints.Map(app, agent.AgentServerCert, configFile);
        // HAProxy is not stopped with the agent: as upstream, it outlives agent restarts (nothing to do on SIGTERM).
        return app;
    }

    /// <summary>Whether <paramref name="certificate"/> chains to <paramref name="root"/> alone (no system store).</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>The installed HAProxy's version ("2.6.12"), as the controller expects it, or "" when absent.</summary>
    private static string HaproxyVersion(string haproxy)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(haproxy, "-v")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
            var line = process?.StandardOutput.ReadLine() ?? "";
            process?.WaitForExit();
            var parts = line.Split(' ');
            return parts.Length > 2 ? parts[2].Split('-')[0] : "";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }
}
