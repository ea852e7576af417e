using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Octavia.Amphora;

/// <summary>
/// The amphora agent's HTTPS server (agent API 1.0, reference/amphora.md §2-§3): mutual TLS only, a
/// client must present a certificate that chains to the client CA or the handshake fails.
/// </summary>
public static class AmphoraAgentHost
{
    public const string ApiVersion = "1.0";

    public static WebApplication Build(IConfiguration configuration, Action<ILoggingBuilder>? logging = null)
    {
        var agent = configuration.GetSection(AmphoraAgentOptions.SectionName).Get<AmphoraAgentOptions>() ?? new AmphoraAgentOptions();
        var bind = configuration.GetSection(AgentBindOptions.SectionName).Get<AgentBindOptions>() ?? new AgentBindOptions();
        var serverCertificate = X509Certificate2.CreateFromPemFile(agent.AgentServerCert, agent.AgentServerCert);
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
                ServerCertificate = serverCertificate,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                SslProtocols = agent.AgentTlsProtocol == "TLSv1.3" ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13,
                // Refused at the handshake unless the chain ends at the client CA: nothing else is trusted.
                ClientCertificateValidation = (certificate, _, _) => ChainsTo(certificate, clientCa),
            }));
        });

        var app = builder.Build();
        app.MapGet("/", () => Results.Json(new Dictionary<string, string> { ["api_version"] = ApiVersion }));
        app.MapGet($"/{ApiVersion}/info", () => Results.Json(new Dictionary<string, string>
        {
            ["hostname"] = Environment.MachineName,
            ["haproxy_version"] = HaproxyVersion(),
            ["api_version"] = ApiVersion,
        }));
        Api.HaproxyConfigEndpoints.Map(app, bind);
        Api.CertificateEndpoints.Map(app, bind);
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
    private static string HaproxyVersion()
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("haproxy", "-v")
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
