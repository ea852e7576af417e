using System.Diagnostics;

namespace Octavia.Drivers.Tests.Amphora;

/// <summary>
/// The seamless-reload acceptance (DESIGN.md "Data path", docs/haproxy-reloads.md): while kept-alive clients and
/// Connection: close clients load a real HAProxy on a loopback VIP, 50 consecutive reloads through the agent API
/// must not fail a single request. A kept-alive client may retry an idempotent request once when its reused
/// connection was closed; raw socket errors are reported either way.
/// </summary>
public sealed class HaproxyReloadUnderLoadTests
{
    private const int Reloads = 50;

    [Fact]
    public async Task FiftyReloads_UnderKeepAliveAndCloseLoad_NoFailedRequest()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agent = await AgentTestHost.StartAsync(ct);
        await using var lb = await LoopbackLoadBalancer.StartAsync(ct);
        using var client = agent.Client();
        await client.UploadHaproxyConfigAsync(agent.AmphoraId, lb.Id, lb.RenderConfig(agent.BasePath), ct);
        await client.StartAsync(lb.Id, ct);

        var keepAlive = new HttpLoadGenerator(lb.Vip, keepAlive: true, clients: 4);
        var close = new HttpLoadGenerator(lb.Vip, keepAlive: false, clients: 4);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var load = Task.WhenAll(keepAlive.RunAsync(stop.Token), close.RunAsync(stop.Token));

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Reloads; i++)
        {
            Assert.Equal($"Reloaded haproxy-{lb.Id}", await client.ReloadAsync(lb.Id, ct));
        }

        var reloading = clock.Elapsed;
        await stop.CancelAsync();
        await load;
        TestContext.Current.TestOutputHelper?.WriteLine($"{Reloads} reloads in {reloading.TotalSeconds:F1} s");
        TestContext.Current.TestOutputHelper?.WriteLine(keepAlive.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine(close.ToString());
        Console.WriteLine($"{Reloads} reloads in {reloading.TotalSeconds:F1} s; {keepAlive}; {close}");

        Assert.Equal(0, keepAlive.Failed);
        Assert.Equal(0, close.Failed);
        Assert.True(keepAlive.Succeeded > Reloads && close.Succeeded > Reloads, $"too little load: {keepAlive}; {close}");
        await client.DeleteListenersAsync(lb.Id, ct);
    }
}
