using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Octavia.Drivers.Tests.Amphora;

namespace Octavia.EndToEnd.Dataplane;

/// <summary>
/// A cloud whose amphora certificates live 30 s and are due for rotation 25 s before they expire, with
/// housekeeping looking every second: an amphora's certificate is rotated about 5 s after it was issued.
/// </summary>
public sealed class ShortCertificateCloud : Dataplane
{
    protected override string ExtraConfig => """
        [certificates]
        cert_validity_time = 30

        [house_keeping]
        cert_interval = 1
        cert_expiry_buffer = 25
        """;
}

/// <summary>
/// Amphora certificate rotation with real amphorae (reference/controller.md §3.12, §5): housekeeping gives the
/// agent a new certificate before the old one expires, the agent presents it from the next TLS handshake,
/// the controller keeps reaching the agent, and traffic through the VIP does not notice.
/// </summary>
public sealed class CertificateRotationTests(ShortCertificateCloud cloud) : IClassFixture<ShortCertificateCloud>
{
    private const string Backend = "192.0.2.80";

    /// <summary>The certificate the agent presents in a TLS handshake (the controller's client certificate is offered, as the controller does).</summary>
    private async Task<X509Certificate2> PresentedCertificateAsync(string address)
    {
        var clientPem = Path.Combine(cloud.StatePath, "certs", "client.pem");
        using var client = X509Certificate2.CreateFromPemFile(clientPem, clientPem);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Parse(address), 9443, TestContext.Current.CancellationToken);
        X509Certificate2? presented = null;
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "amphora",
            ClientCertificates = [client],
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return true;
            },
        }, TestContext.Current.CancellationToken);
        return presented ?? throw new InvalidOperationException("The agent presented no certificate.");
    }

    /// <summary>The amphora's <c>cert_expiration</c> (upstream writes UTC times without a zone).</summary>
    private async Task<DateTime> CertExpirationAsync(string amphoraId) =>
        DateTime.Parse((await cloud.GetAsync($"/v2/octavia/amphorae/{amphoraId}"))["amphora"]!["cert_expiration"]!.GetValue<string>(),
            System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal);

    /// <summary>Waits until the amphora's certificate in the database expires later than <paramref name="than"/> (a rotation finished).</summary>
    private async Task<DateTime> WaitForRotationAsync(string amphoraId, DateTime than)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var expiration = await CertExpirationAsync(amphoraId);
            if (expiration > than)
            {
                return expiration;
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(40), $"The certificate of amphora {amphoraId} still expires {expiration:O}.\n{cloud.Output}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Housekeeping_RotatesTheAgentsCertificate_AgentPresentsIt_AndTrafficThroughTheVipFailsNothing()
    {
        await cloud.ServerAsync("start", "--subnet", "private-subnet", "--address", Backend);
        string? lbId = null;
        try
        {
            var created = await cloud.PostAsync("/v2/lbaas/loadbalancers", $$"""
                {"loadbalancer": {"vip_subnet_id": "{{cloud.PublicSubnetId}}", "listeners": [{"protocol": "HTTP", "protocol_port": 80,
                  "default_pool": {"name": "pool1", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "members": [
                    {"address": "{{Backend}}", "protocol_port": 80, "subnet_id": "{{cloud.PrivateSubnetId}}"}]} }]} }
                """);
            var lb = created["loadbalancer"]!;
            lbId = lb["id"]!.GetValue<string>();
            var vip = lb["vip_address"]!.GetValue<string>();
            var poolId = lb["listeners"]![0]!["default_pool_id"]!.GetValue<string>();
            await cloud.WaitForActiveAsync(lbId);
            var amphora = (await cloud.GetAsync($"/v2/octavia/amphorae?loadbalancer_id={lbId}"))["amphorae"]!.AsArray().Single()!;
            var amphoraId = amphora["id"]!.GetValue<string>();
            var agent = amphora["lb_network_ip"]!.GetValue<string>();
            var watch = Stopwatch.StartNew();
            while (!(await Traffic.CountAsync($"http://{vip}/", 1)).ContainsKey($"{Backend}:80"))
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "The load balancer never served.\n" + cloud.Output);
            }

            using var serverCa = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(cloud.StatePath, "certs", "server_ca.pem"),
                TestContext.Current.CancellationToken));
            using var first = await PresentedCertificateAsync(agent);
            Assert.True(Drivers.Amphora.Rest.AmphoraAgentClient.IsAgentOf(first, amphoraId, serverCa));
            Assert.True(first.NotAfter.ToUniversalTime() < DateTime.UtcNow.AddSeconds(31), $"{first.NotAfter:O}: not the 30 s certificate");

            // Load through the VIP while housekeeping rotates the certificate twice.
            var target = new IPEndPoint(IPAddress.Parse(vip), 80);
            var keepAlive = new HttpLoadGenerator(target, keepAlive: true, clients: 2);
            var close = new HttpLoadGenerator(target, keepAlive: false, clients: 2);
            using var stop = new CancellationTokenSource();
            var load = Task.WhenAll(keepAlive.RunAsync(stop.Token), close.RunAsync(stop.Token));
            var rotated = await WaitForRotationAsync(amphoraId, first.NotAfter.ToUniversalTime());
            using var second = await PresentedCertificateAsync(agent);
            var again = await WaitForRotationAsync(amphoraId, rotated);
            using var third = await PresentedCertificateAsync(agent);
            await stop.CancelAsync();
            await load;

            TestContext.Current.SendDiagnosticMessage($"certificates presented: {first.SerialNumber} until {first.NotAfter:O}, " +
                $"{second.SerialNumber} until {second.NotAfter:O}, {third.SerialNumber} until {third.NotAfter:O}; {keepAlive}; {close}");
            foreach (var (presented, expected) in new[] { (second, rotated), (third, again) })
            {
                Assert.NotEqual(first.SerialNumber, presented.SerialNumber);
                Assert.True(presented.NotAfter.ToUniversalTime() >= expected.AddSeconds(-1) && presented.NotAfter > first.NotAfter,
                    $"The agent presents a certificate until {presented.NotAfter:O}; the database says {expected:O}.");
                Assert.True(Drivers.Amphora.Rest.AmphoraAgentClient.IsAgentOf(presented, amphoraId, serverCa));
            }

            Assert.NotEqual(second.SerialNumber, third.SerialNumber);
            Assert.True(keepAlive.Failed == 0 && close.Failed == 0, $"{keepAlive}\n{close}");
            Assert.True(keepAlive.Succeeded > 0 && close.Succeeded > 0, $"{keepAlive}\n{close}");
            Assert.Contains($"Rotated the certificate of amphora {amphoraId}", cloud.Output, StringComparison.Ordinal);

            // The controller still reaches the agent over TLS with the new certificate: a change is applied.
            var member = (await cloud.GetAsync($"/v2/lbaas/pools/{poolId}/members"))["members"]![0]!["id"]!.GetValue<string>();
            await cloud.PutAsync($"/v2/lbaas/pools/{poolId}/members/{member}", """{"member": {"weight": 3} }""");
            await cloud.WaitForActiveAsync(lbId);
            Assert.Equal(5, (await Traffic.CountAsync($"http://{vip}/", 5)).GetValueOrDefault($"{Backend}:80"));
        }
        finally
        {
            if (lbId is not null)
            {
                await cloud.DeleteAsync($"/v2/lbaas/loadbalancers/{lbId}?cascade=true");
                await cloud.WaitForGoneAsync(lbId);
            }

            await OctaviaProcess.RunAsync(cloud.ConfigFile, "server", "stop", Backend);
        }
    }
}
