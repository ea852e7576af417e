using System.Globalization;
using Octavia.Drivers.Local;

namespace Octavia.EndToEnd.Dataplane;

/// <summary>
/// The natively compiled agent (<c>octavia-amphora-agent</c>, src/Octavia.AmphoraAgent) is what amphorae
/// run: tests/run.sh publishes it and names it in <c>OCTAVIA__LOCAL_COMPUTE__NATIVE_AGENT</c>, as
/// scripts/up.sh puts it beside <c>octavia</c>. Every other data-path test then goes through it too.
/// </summary>
[Collection("dataplane")]
public sealed class NativeAgentTests(Dataplane cloud)
{
    private const long MaxAgentRssKib = 40 * 1024;

    [Fact]
    public async Task AmphoraRunsTheNativeAgent_ServesTraffic_InUnder40MiB()
    {
        var configured = Environment.GetEnvironmentVariable("OCTAVIA__LOCAL_COMPUTE__NATIVE_AGENT") ?? "";
        var native = LocalComputeDriver.NativeAgent(new LocalComputeOptions { NativeAgent = configured });
        Assert.True(native is not null, "No native agent: run the tests with tests/run.sh, which publishes src/Octavia.AmphoraAgent, "
            + "or set OCTAVIA__LOCAL_COMPUTE__NATIVE_AGENT to a published octavia-amphora-agent.");

        var (lbId, vip, _) = await cloud.LoadBalancerWithBackendsAsync("\"protocol\": \"HTTP\"", "\"protocol\": \"HTTP\", \"lb_algorithm\": \"ROUND_ROBIN\"", "192.0.2.60");
        try
        {
            var counts = await Traffic.CountAsync($"http://{vip}/", 200);
            Assert.Equal(200, counts.GetValueOrDefault("192.0.2.60:80"));

            var amphora = (await cloud.GetAsync($"/v2/octavia/amphorae?loadbalancer_id={lbId}"))["amphorae"]!.AsArray().Single()!;
            var pids = (await Dataplane.RunAsync("ip", "netns", "pids", amphora["compute_id"]!.GetValue<string>()))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var agent = pids.SingleOrDefault(p => ExecutableOf(p) == native);
            Assert.True(agent is not null, $"No process of the amphora runs {native}: {string.Join(", ", pids.Select(ExecutableOf))}");

            // After the configuration pushes, 200 proxied requests and the heartbeats they fed.
            var rss = RssKib(agent);
            TestContext.Current.SendDiagnosticMessage($"Native agent RSS {rss / 1024.0:F1} MiB");
            Assert.True(rss < MaxAgentRssKib, $"The native agent's RSS is {rss / 1024.0:F1} MiB");
        }
        finally
        {
            await cloud.DeleteWithBackendsAsync(lbId, "192.0.2.60");
        }
    }

    private static string? ExecutableOf(string pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/exe").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long RssKib(string pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
